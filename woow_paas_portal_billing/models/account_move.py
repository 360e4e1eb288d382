from datetime import timedelta

from odoo import models
from odoo.tools import format_date


class AccountMove(models.Model):
    _inherit = "account.move"

    def _paas_portal_periods(self):
        """Labels of the billing and usage periods of a subscription invoice
        for its portal page (the stored ends are the first day after)."""
        self.ensure_one()
        move = self.sudo()

        def label(start, end):
            if not (start and end):
                return False
            return self.env._(
                "%(start)s to %(end)s",
                start=format_date(self.env, start),
                end=format_date(self.env, end - timedelta(days=1)),
            )

        return {
            "period": label(move.paas_period_start, move.paas_period_end),
            "usage": label(move.paas_usage_start, move.paas_usage_end),
        }
