from odoo import api, models

from .res_users import user_limit_guard


class ResGroups(models.Model):
    """A group write is another way to make users internal: adding them to
    ``base.group_user`` (``user_ids``, ``all_user_ids``) or making a group
    that has members imply it (``implied_ids``, ``implied_by_ids``, a new
    group created that way). The internal-user limit holds there too."""

    _inherit = "res.groups"

    @api.model_create_multi
    def create(self, vals_list):
        with user_limit_guard(self.env):
            return super().create(vals_list)

    def write(self, vals):
        with user_limit_guard(self.env):
            return super().write(vals)
