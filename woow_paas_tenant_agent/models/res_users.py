from contextvars import ContextVar

from odoo import api, models
from odoo.exceptions import UserError

PARAM = "woow_paas_agent."
# Set while create() runs: a new user may be internal for a moment inside it
# (default groups, then the ones asked for); create checks the end result.
_creating = ContextVar("woow_paas_agent_creating", default=False)


class ResUsers(models.Model):
    """The internal-user limit of the tenant's plan, pushed by the platform
    as ``woow_paas_agent.max_users`` (absent: no limit)."""

    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        token = _creating.set(True)
        try:
            users = super().create(vals_list)
        finally:
            _creating.reset(token)
        users._paas_agent_check_user_limit()
        return users

    def write(self, vals):
        res = super().write(vals)
        if {"active", "group_ids", "share"} & set(vals) and not _creating.get():
            self._paas_agent_check_user_limit()
        return res

    @api.model
    def _paas_agent_contact(self):
        return self.env["ir.config_parameter"].sudo().get_param(f"{PARAM}contact") or ""

    @api.model
    def _paas_agent_suspended_message(self):
        params = self.env["ir.config_parameter"].sudo()
        reason = params.get_param(f"{PARAM}suspended_reason")
        message = self.env._("This database is suspended and read-only")
        message += f" ({reason})." if reason else "."
        contact = self._paas_agent_contact()
        if contact:
            message += " " + self.env._("Contact %s to reactivate it.", contact)
        return message

    def _paas_agent_check_user_limit(self):
        if not self or all(user.share or not user.active for user in self):
            return
        limit = self.env["ir.config_parameter"].sudo().get_param(f"{PARAM}max_users")
        if not limit:
            return
        limit = int(limit)
        self.env["res.users"].flush_model(["active", "share"])
        count = (
            self.env["res.users"]
            .sudo()
            .search_count([("share", "=", False), ("active", "=", True)])
        )
        if count > limit:
            contact = self._paas_agent_contact()
            message = self.env._(
                "Your plan allows %(limit)s internal users and this database already has "
                "%(used)s: archive a user first",
                limit=limit,
                used=count - len(self.filtered(lambda u: not u.share and u.active)),
            )
            message += (
                self.env._(", or ask %s for a plan with more users.", contact) if contact else "."
            )
            raise UserError(message)
