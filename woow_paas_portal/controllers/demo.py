from odoo import http
from odoo.http import request
from odoo.tools.mail import html_sanitize

MAILBOX_SIZE = 30


class WoowPaasDemoMailbox(http.Controller):
    """The demo's mailbox: a demo database has no SMTP server, so the mails
    of the sign-up (the confirmation link, the tenant's sign-in link) never
    leave it. With demo data only, ``/paas/demo/mailbox`` shows the latest
    outgoing mails; in production the route does not exist (404)."""

    @http.route("/paas/demo/mailbox", type="http", auth="public", website=True, readonly=True)
    def paas_demo_mailbox(self, **kw):
        if not request.env["woow.paas.signup"]._paas_demo_mode():
            return request.not_found()
        mails = request.env["mail.mail"].sudo().search([], limit=MAILBOX_SIZE, order="id desc")
        states = dict(mails._fields["state"]._description_selection(request.env))
        response = request.render(
            "woow_paas_portal.paas_demo_mailbox",
            {
                "mails": [
                    {
                        "id": mail.id,
                        "date": mail.create_date,
                        "to": mail.email_to
                        or ", ".join(mail.recipient_ids.mapped("email_formatted")),
                        "subject": mail.subject or "",
                        "state": states.get(mail.state, mail.state),
                        "body": html_sanitize(mail.body_html or ""),
                    }
                    for mail in mails
                ],
            },
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response
