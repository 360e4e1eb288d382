import contextlib
import logging
import secrets

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import format_date

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_RUNNING

_logger = logging.getLogger(__name__)


class TenantCodeTaken(UserError):
    """The tenant code of a sign-up is taken (shown beside the code field)."""


class _UndoDecoy(Exception):
    """Rolls back the account made for an address that already has one."""


class WoowPaasSignup(models.Model):
    """One self-service sign-up: a customer's plan, subscription and tenant.

    Keyed by the nonce of the form that started it: the same form sent
    twice (double click, back and resubmit, refresh of the POST) finds the
    first sign-up instead of making a second subscription and tenant. The
    nonce is claimed first, by an ``INSERT ... ON CONFLICT DO NOTHING``:
    a concurrent second request waits on the unique index, then gets a
    serialization failure that Odoo's request retry replays, and the replay
    finds the first sign-up.

    This model owns the whole process: the account (with the same work for
    a known address as for a new one), the claim, the subscription's start,
    the provisioning once the subscription runs, and the lock that makes a
    confirmation happen once. The portal's controllers check the input,
    call it as superuser and render; the customer reads it through them only.
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

    @api.model
    def _paas_sign_up(self, nonce, user, plan, tenant_name, tenant_code, pay_now, address):
        """The tenant step, in one savepoint: claim ``nonce`` and, for a new
        sign-up, make and start its subscription and tenant. Returns the
        sign-up (empty: the nonce is another user's). A ``UserError`` (a
        ``TenantCodeTaken`` for the code) undoes the claim too."""
        with self.env.cr.savepoint():
            signup, created = self._paas_claim(
                nonce, user, plan, tenant_name, tenant_code, pay_now, address
            )
            if created:
                signup._paas_start()
        return signup

    @api.model
    def _paas_code_taken(self, code):
        """Whether a tenant has ``code`` (never says whose)."""
        return bool(
            self.env["woow.paas.tenant"].sudo().search_count([("code", "=", code)], limit=1)
        )

    def _paas_start(self):
        """Make the subscription and the tenant of a freshly claimed
        sign-up, start the subscription (:meth:`_paas_start_subscription`),
        then provision the tenant when the subscription runs. A tenant code
        taken by someone else raises a ``TenantCodeTaken``."""
        self.ensure_one()
        signup = self.sudo()
        if self._paas_code_taken(signup.tenant_code):
            raise TenantCodeTaken(self.env._("This code is taken: choose another one."))
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
        signup._paas_start_subscription(subscription)
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
        signup._paas_provision()
        return True

    def _paas_start_subscription(self, subscription):
        """Hook: start the new ``subscription``: a trial in core. The billing
        bridge leaves a ``pay_now`` one in draft until the customer confirms
        a payment method (:meth:`_paas_provision` then runs again)."""
        self.ensure_one()
        if self.pay_now:
            raise UserError(self.env._("Paying online is not available: start a free trial."))
        subscription._paas_start("trial")

    def _paas_provision(self):
        """The one place a sign-up's tenant is provisioned: once its
        subscription runs (a trial at once, a paid start once confirmed).
        Nothing happens before, nor once the tenant is on its way; returns
        whether provisioning started."""
        self.ensure_one()
        signup = self.sudo()
        tenant = signup.tenant_id
        if (
            tenant.state not in ("draft", "failed")
            or signup.subscription_id.state not in SUBSCRIPTION_RUNNING
        ):
            return False
        tenant.action_provision()
        return True

    def _paas_retry_provisioning(self):
        """The customer's Retry after a failed provisioning, in a savepoint;
        a ``UserError`` says why it may not (its subscription stopped)."""
        self.ensure_one()
        tenant = self.sudo().tenant_id
        if tenant.state == "failed":
            with self.env.cr.savepoint():
                tenant.action_provision()
        return True

    def _paas_lock_subscription(self):
        """Lock this sign-up's subscription row until the transaction ends:
        a second confirmation (double click) waits, then sees the first."""
        self.ensure_one()
        subscription = self.sudo().subscription_id
        self.env.cr.execute(
            SQL("SELECT id FROM woow_paas_subscription WHERE id = %s FOR UPDATE", subscription.id)
        )
        subscription.invalidate_recordset(["state"])
        return subscription

    # ------------------------------------------------------------------
    # Accounts (step 1)
    # ------------------------------------------------------------------
    @api.model
    def _paas_create_account(self, name, email, company_name, plan):
        """Create the customer and its portal user (no password yet) and
        send the confirmation link, through Odoo's signup token. Nothing is
        kept for an address that already has a user, but the same work is
        done (see :meth:`_paas_decoy_account`), so that the answer takes as
        long and its timing does not tell which addresses have an account."""
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        if Users.search_count(Users._get_login_domain(email), limit=1):
            self._paas_decoy_account(name, company_name, plan)
            return Users.browse()
        try:
            with self.env.cr.savepoint():
                user = self._paas_make_account(name, email, company_name)
        except psycopg2.errors.UniqueViolation:
            # The same address signed up at the same moment (a double click).
            return Users.browse()
        self._paas_send_confirmation(user, plan)
        return user

    @api.model
    def _paas_decoy_account(self, name, company_name, plan):
        """For an address that already has an account: make the account of
        a throwaway address and its confirmation mail, as for a new one,
        then roll it all back (a savepoint): nothing is kept, nothing is
        sent, and the request costs what a new address costs."""
        decoy = f"decoy-{secrets.token_hex(8)}@signup.invalid"
        with contextlib.suppress(_UndoDecoy), self.env.cr.savepoint():
            user = self._paas_make_account(name, decoy, company_name)
            self._paas_send_confirmation(user, plan)
            self.env.flush_all()
            raise _UndoDecoy

    @api.model
    def _paas_make_account(self, name, email, company_name):
        """The customer (a company when named), its contact and the contact's
        portal user made from Odoo's signup template; returns the user."""
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        Partner = self.env["res.partner"].sudo()
        company = (
            Partner.create({"name": company_name, "is_company": True, "email": email})
            if company_name
            else Partner.browse()
        )
        contact = Partner.create({"name": name, "email": email, "parent_id": company.id or False})
        user = Users._create_user_from_template(
            {"login": email, "email": email, "name": name, "partner_id": contact.id}
        )
        self.env.flush_all()
        return user

    @api.model
    def _paas_send_confirmation(self, user, plan):
        """The mail with the link that confirms the address and sets the
        password (Odoo's signup token), then leads to the tenant step."""
        contact = user.partner_id
        contact.signup_prepare(signup_type="signup")
        url = contact._get_signup_url_for_action(url=f"/paas/signup/tenant?plan={plan.code}")[
            contact.id
        ]
        template = self.env.ref("woow_paas_portal.mail_template_paas_signup_confirm")
        template.sudo().with_context(signup_url=url, paas_plan=plan.name).send_mail(user.id)

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
