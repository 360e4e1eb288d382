from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_PAYING


class WoowPaasBillingRun(models.Model):
    """Catches up everything due on a date: renewals (the new period invoiced
    in advance, the ended one's usage in arrears), trials that ended, and
    draft invoices whose late-usage grace is over.

    A run works in batches, each a queue_job job and one transaction. A batch
    takes its subscriptions with ``FOR UPDATE SKIP LOCKED``, so two runs at
    once share the work instead of doing it twice, and a batch killed half
    way leaves nothing behind: its job runs again and finds the same work
    (the unique invoice per subscription and period guards the rest).
    """

    _name = "woow.paas.billing.run"
    _description = "PaaS Billing Run"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Everything due on or before this day is invoiced.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    batch_size = fields.Integer(default=200, required=True)
    due_count = fields.Integer(string="Due", readonly=True)
    done_count = fields.Integer(string="Billed", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    posted_draft_count = fields.Integer(string="Drafts Posted", readonly=True)
    batch_count = fields.Integer(string="Batches", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    summary = fields.Html(readonly=True, sanitize=True)

    _batch_size_check = models.Constraint(
        "CHECK(batch_size > 0)", "A billing run batch holds at least one subscription."
    )

    @api.depends("due_count", "done_count", "failed_count", "state")
    def _compute_progress(self):
        for run in self:
            if run.state == "done":
                run.progress = 100.0
            elif run.due_count:
                run.progress = min(
                    100.0, 100.0 * (run.done_count + run.failed_count) / run.due_count
                )
            else:
                run.progress = 0.0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("woow.paas.billing.run") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Work
    # ------------------------------------------------------------------
    def _due_domain(self):
        self.ensure_one()
        return [
            ("company_id", "=", self.company_id.id),
            "|",
            "&",
            ("state", "in", SUBSCRIPTION_PAYING),
            ("current_period_end", "<=", self.date),
            "&",
            ("state", "=", "trial"),
            ("trial_end_date", "<=", self.date),
            "|",
            ("paas_retry_at", "=", False),
            ("paas_retry_at", "<=", fields.Datetime.now()),
        ]

    def action_start(self):
        """Count what is due and queue the first batch."""
        for run in self:
            if run.state != "draft":
                raise UserError(self.env._("Billing run %s has already started.", run.name))
            due = self.env["woow.paas.subscription"].search_count(run._due_domain())
            run.write({"state": "running", "due_count": due, "started_at": fields.Datetime.now()})
            run._enqueue_batch()
        return True

    def _enqueue_batch(self):
        self.ensure_one()
        # One job per batch number: a double click or a re-queued start
        # cannot put the same batch in the queue twice.
        self.with_delay(
            description=self.env._("Billing run %(run)s, batch %(batch)s",
                                   run=self.name, batch=self.batch_count + 1),
            identity_key=f"woow.paas.billing.run-{self.id}-{self.batch_count + 1}",
        )._run_batch()  # fmt: skip

    def _claim_batch(self):
        """Lock and return the next due subscriptions nobody else is billing."""
        self.ensure_one()
        Subscription = self.env["woow.paas.subscription"]
        query = Subscription._search(self._due_domain())
        Subscription.flush_model()
        # The limit and the lock in one statement: rows another run holds are
        # skipped and the batch is filled from the next ones.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM woow_paas_subscription WHERE id IN %s ORDER BY id LIMIT %s"
                " FOR UPDATE SKIP LOCKED",
                query.subselect(),
                self.batch_size,
            )
        )
        return Subscription.browse([row[0] for row in self.env.cr.fetchall()])

    def _run_batch(self):
        """One batch: bill the claimed subscriptions, post the drafts whose
        grace is over, then queue the next batch or finish."""
        self.ensure_one()
        if self.state != "running":
            return False
        subs = self._claim_batch().with_context(paas_billing_run_id=self.id)
        self.env.cr.execute("SELECT COALESCE(max(id), 0) FROM account_move")
        last_move_id = self.env.cr.fetchone()[0]
        renewing = subs.filtered(lambda s: s.state in SUBSCRIPTION_PAYING)
        failed = renewing._paas_run_isolated("_paas_renew", "subscription.renewal_failed")
        failed |= (subs - renewing)._paas_run_isolated(
            "_paas_on_trial_expired", "subscription.trial_expiry_failed"
        )
        posted = self.env["account.move"]._paas_post_due_drafts(self.date, self.company_id)
        self.env["account.move"].flush_model()
        # The batch's subscriptions are locked by this transaction: their
        # moves numbered after the batch started are the batch's.
        invoices = self.env["account.move"].search_count(
            [("paas_subscription_id", "in", subs.ids), ("id", ">", last_move_id)]
        )
        vals = {
            "done_count": self.done_count + len(subs - failed),
            "failed_count": self.failed_count + len(failed),
            "invoice_count": self.invoice_count + invoices,
            "posted_draft_count": self.posted_draft_count + len(posted),
            "batch_count": self.batch_count + 1,
        }
        more = len(subs) == self.batch_size
        if not more:
            vals.update(state="done", finished_at=fields.Datetime.now())
        self.write(vals)
        if more:
            self._enqueue_batch()
        else:
            self._finish()
        return True

    def _finish(self):
        self.ensure_one()
        duration = (self.finished_at or fields.Datetime.now()) - (
            self.started_at or fields.Datetime.now()
        )
        self.summary = Markup("<ul><li>%s</li><li>%s</li><li>%s</li><li>%s</li></ul>") % (
            self.env._("%s subscriptions billed", self.done_count),
            self.env._("%s invoices and credit notes created", self.invoice_count),
            self.env._(
                "%s draft invoices posted after their grace period", self.posted_draft_count
            ),
            self.env._(
                "%(failed)s failed (see their chatter; retried in an hour), in %(seconds)s s",
                failed=self.failed_count,
                seconds=round(duration / timedelta(seconds=1), 1),
            ),
        )
        self.message_post(body=self.summary)
        self.env["woow.paas.event"]._emit(
            "billing_run.done",
            self,
            {
                "billed": self.done_count,
                "failed": self.failed_count,
                "invoices": self.invoice_count,
                "batches": self.batch_count,
            },
        )

    @api.model
    def _cron_start_run(self):
        """Daily: start a run for each company with work due (none twice a day)."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            if self.search_count(
                [("company_id", "=", company.id), ("date", "=", today), ("state", "!=", "draft")]
            ):
                continue
            run = self.with_company(company).create({"date": today, "company_id": company.id})
            if self.env["woow.paas.subscription"].search_count(run._due_domain(), limit=1):
                run.action_start()
            else:
                run.unlink()
        return True
