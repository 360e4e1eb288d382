from odoo import fields, models


class WoowPaasExampleProject(models.Model):
    """A tenant-aware model: inheriting ``woow.paas.tenant.mixin`` is all it takes."""

    _name = "woow.paas.example.project"
    _inherit = ["woow.paas.tenant.mixin"]
    _description = "Example Project (tenant-aware)"
    _order = "name, id"

    name = fields.Char(required=True, index="trigram")
    description = fields.Text()
    active = fields.Boolean(default=True)
    task_ids = fields.One2many("woow.paas.example.task", "project_id", string="Tasks")
    task_count = fields.Integer(compute="_compute_task_count")

    def _compute_task_count(self):
        counts = dict(
            self.env["woow.paas.example.task"]._read_group(
                [("project_id", "in", self.ids)], ["project_id"], ["__count"]
            )
        )
        for project in self:
            project.task_count = counts.get(project, 0)
