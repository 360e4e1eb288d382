from odoo import fields, models


class WoowPaasExampleTask(models.Model):
    """A task of a project, both in the same tenant (checked by the mixin)."""

    _name = "woow.paas.example.task"
    _inherit = ["woow.paas.tenant.mixin"]
    _description = "Example Task (tenant-aware)"
    _order = "priority desc, id desc"

    name = fields.Char(required=True)
    project_id = fields.Many2one(
        "woow.paas.example.project", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Assignee")
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], default="0")
    done = fields.Boolean()
