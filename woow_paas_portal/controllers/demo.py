from odoo import http
from odoo.http import request
from odoo.tools.mail import html_sanitize

MAILBOX_SIZE = 30


class WoowPaasDemoMailbox(http.Controller):
    """The demo's mailbox: a demo database has no SMTP server, so the mails
    of the sign-up (the confirmation link, the tenant's sign-in link) never
    leave it. With demo data only, ``/paas/demo/mailbox`` shows the latest
    outgoing mails that the visitor may read (:meth:`_paas_mailbox_domain`);
    in production the route does not exist (404)."""

    def _paas_mailbox_domain(self):
        """A demo may be shown to many visitors, and its mails carry sign-up
        and sign-in links: a visitor reads the mails to the addresses it
        signed up with in this browser session, a signed-in customer also
        those to its own address, and operators (PaaS Users) all of them."""
        user = request.env.user
        if user.has_group("woow_paas_core.group_paas_user"):
            return []
        addresses = list(request.session.get("paas_demo_mail_to") or [])
        if not user._is_public() and user.email:
            addresses.append(user.email)
        if not addresses:
            return [("id", "=", 0)]
        domain = [("recipient_ids.email", "in", addresses)]
        for address in addresses:
            domain = ["|", ("email_to", "ilike", address), *domain]
        if not user._is_public():
            domain = ["|", ("recipient_ids", "in", user.partner_id.ids), *domain]
        return domain

    @http.route("/paas/demo/mailbox", type="http", auth="public", website=True, readonly=True)
    def paas_demo_mailbox(self, **kw):
        if not request.env["woow.paas.signup"]._paas_demo_mode():
            return request.not_found()
        mails = (
            request.env["mail.mail"]
            .sudo()
            .search(self._paas_mailbox_domain(), limit=MAILBOX_SIZE, order="id desc")
        )
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
