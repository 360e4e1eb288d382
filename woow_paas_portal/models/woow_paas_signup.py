import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import format_date

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_RUNNING

_logger = logging.getLogger(__name__)


class TenantCodeTaken(UserError):
    """The tenant code of a sign-up is taken (shown beside the code field)."""


class WoowPaasSignup(models.Model):
    """One self-service sign-up: a customer's plan, subscription and tenant.

    Keyed by the nonce of the form that started it: the same form sent
    twice (double click, back and resubmit, refresh of the POST) finds the
    first sign-up instead of making a second subscription and tenant. The
    nonce is claimed first, by an ``INSERT ... ON CONFLICT DO NOTHING``:
    a concurrent second request waits on the unique index, then gets a
    serialization failure that Odoo's request retry replays, and the replay
    finds the first sign-up.

    Made by the portal's controllers as superuser once the input is checked;
    the customer reads it through them only.
    """

    _name = "woow.paas.signup"
    _description = "PaaS Self-Service Sign-Up"
    _order = "id desc"

    nonce = fields.Char(required=True, readonly=True, copy=False)
    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        related="user_id.partner_id.commercial_partner_id",
        store=True,
    )
    plan_id = fields.Many2one("woow.paas.plan", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    tenant_name = fields.Char(required=True, readonly=True)
    tenant_code = fields.Char(required=True, readonly=True)
    pay_now = fields.Boolean(readonly=True, help="The customer chose to pay instead of a trial.")
    subscription_id = fields.Many2one("woow.paas.subscription", readonly=True)
    tenant_id = fields.Many2one("woow.paas.tenant", readonly=True)
    remote_address = fields.Char(readonly=True)

    _nonce_uniq = models.Constraint("UNIQUE(nonce)", "A sign-up form is sent once.")

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------
    @api.model
    def _paas_claim(self, nonce, user, plan, tenant_name, tenant_code, pay_now, address):
        """Claim ``nonce`` for a new sign-up; return ``(signup, created)``.

        An existing sign-up of the same nonce, or of the same user and tenant
        code (a new form after a refresh), is returned with ``created``
        false. Another user's nonce answers an empty recordset.
        """
        existing = self.sudo().search(
            [
                "|",
                ("nonce", "=", nonce),
                "&",
                ("user_id", "=", user.id),
                ("tenant_code", "=", tenant_code),
            ],
            limit=1,
        )
        if existing:
            return (existing if existing.user_id == user else self.browse()), False
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO woow_paas_signup (nonce, user_id, partner_id, plan_id, company_id,
                    tenant_name, tenant_code, pay_now, remote_address,
                    create_uid, write_uid, create_date, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                        now() at time zone 'utc', now() at time zone 'utc')
                ON CONFLICT (nonce) DO NOTHING
                RETURNING id
                """,
                nonce, user.id, user.partner_id.commercial_partner_id.id, plan.id,
                self.env.company.id, tenant_name, tenant_code, bool(pay_now), address,
                user.id, user.id,
            )
        )  # fmt: skip
        row = self.env.cr.fetchone()
        if not row:
            # Committed before this transaction's snapshot: read it.
            existing = self.sudo().search([("nonce", "=", nonce)], limit=1)
            return (existing if existing.user_id == user else self.browse()), False
        return self.sudo().browse(row[0]), True

    def _paas_start(self, start_subscription):
        """Make the subscription and the tenant of a freshly claimed
        sign-up, then start provisioning when the subscription runs.

        ``start_subscription(subscription)`` starts the subscription (a
        trial, or the billing bridge's payment). A tenant code taken
        meanwhile by someone else raises a ``UserError``; the caller's
        transaction then rolls back the claim too.
        """
        self.ensure_one()
        signup = self.sudo()
        customer = signup.user_id.partner_id
        subscription = (
            self.env["woow.paas.subscription"]
            .sudo()
            .create(
                {
                    "partner_id": customer.id,
                    "plan_id": signup.plan_id.id,
                    "company_id": signup.company_id.id,
                    "user_id": False,
                }
            )
        )
        start_subscription(subscription)
        try:
            with self.env.cr.savepoint():
                tenant = (
                    self.env["woow.paas.tenant"]
                    .sudo()
                    .create(
                        {
                            "name": signup.tenant_name,
                            "code": signup.tenant_code,
                            "partner_id": customer.id,
                            "subscription_id": subscription.id,
                            "company_id": signup.company_id.id,
                        }
                    )
                )
                self.env.flush_all()
        except psycopg2.errors.UniqueViolation:
            raise TenantCodeTaken(
                self.env._("This code was taken a moment ago: choose another one.")
            ) from None
        signup.write({"subscription_id": subscription.id, "tenant_id": tenant.id})
        if subscription.state in SUBSCRIPTION_RUNNING:
            tenant.action_provision()
        return True

    @api.model
    def _paas_demo_mode(self):
        """Whether this database was installed with demo data (Odoo's own
        test: a module installed with its demo data): then the portal may
        show what only a mailbox would in production, such as the mails that
        no SMTP server carries out of a demo."""
        return bool(
            self.env["ir.module.module"].sudo().search_count([("demo", "=", True)], limit=1)
        )

    # ------------------------------------------------------------------
    # Progress
    # ------------------------------------------------------------------
    def _paas_steps(self):
        """The steps the provisioning page shows, in order: a list of
        ``{"key", "label", "status"}`` with status ``done``, ``running``,
        ``pending`` or ``failed``. Override to add steps (the tenant layer's
        database steps) between ``tenant`` and ``ready``."""
        self.ensure_one()
        sub, tenant = self.sudo().subscription_id, self.sudo().tenant_id
        _ = self.env._
        sub_running = sub.state in SUBSCRIPTION_RUNNING
        if sub.state == "trial":
            sub_label = _(
                "Free trial started, until %(date)s", date=format_date(self.env, sub.trial_end_date)
            )
        elif sub_running:
            sub_label = _("Subscription started")
        else:
            sub_label = _("Waiting for the payment")
        tenant_status = {
            "provisioning": "running",
            "active": "done",
            "suspended": "done",
            "failed": "failed",
        }.get(tenant.state, "pending")
        return [
            {"key": "account", "label": _("Account confirmed"), "status": "done"},
            {
                "key": "subscription",
                "label": sub_label,
                "status": "done" if sub_running else "running",
            },
            {
                "key": "tenant",
                "label": _("Preparing %(code)s", code=self.tenant_code),
                "status": tenant_status,
            },
            {
                "key": "ready",
                "label": _("Ready to open"),
                "status": "done" if tenant.state == "active" else "pending",
            },
        ]

    def _paas_status(self):
        """What the provisioning page polls: state, steps, message, URL."""
        self.ensure_one()
        tenant = self.sudo().tenant_id
        state = tenant.state or "draft"
        open_url = tenant._paas_portal_open_url() if state == "active" else ""
        return {
            "state": state,
            "ready": state == "active",
            "failed": state == "failed",
            "message": (tenant.state_message or "") if state in ("failed", "suspended") else "",
            "open_url": open_url,
            # The button's words: a tenant that lives on its own page is seen, not opened.
            "open_label": (
                self.env._("See your tenant")
                if open_url and open_url == tenant.access_url
                else self.env._("Open your tenant")
            ),
            "open_note": "",
            "steps": self._paas_steps(),
        }
