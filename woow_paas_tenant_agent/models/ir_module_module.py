import functools

from odoo import models
from odoo.exceptions import AccessError
from odoo.modules.module import Manifest

from .const import AGENT_MODULE, is_platform

# States in which an installed module stays loaded.
LOADED_STATES = ("installed", "to upgrade")


@functools.cache
def _protected_modules():
    """The agent and every module it needs, from the manifests (what the
    module loader follows, whatever the dependency records in the database
    say): uninstalling any of them would take the agent with it."""
    names, todo = set(), [AGENT_MODULE]
    while todo:
        name = todo.pop()
        if name in names:
            continue
        names.add(name)
        manifest = Manifest.for_addon(name, display_warning=False)
        todo.extend(manifest["depends"] if manifest else [])
    return frozenset(names)


class IrModuleModule(models.Model):
    """The agent enforces the platform's limits and suspension, so the
    tenant's administrator may upgrade it but not remove it: not by
    uninstalling it or a module it depends on (``button_uninstall``,
    ``button_immediate_uninstall``, the uninstall wizard), not by calling
    ``module_uninstall`` directly, nor by writing its state or renaming its
    record so that the loader skips it. Only the platform (the superuser:
    ``odoo-bin``, module loading) may."""

    _inherit = "ir.module.module"

    def write(self, vals):
        if "name" in vals or vals.get("state", LOADED_STATES[0]) not in LOADED_STATES:
            self._paas_agent_check_removal()
        return super().write(vals)

    def button_uninstall(self):
        self._paas_agent_check_removal()
        return super().button_uninstall()

    def button_immediate_uninstall(self):
        self._paas_agent_check_removal()
        return super().button_immediate_uninstall()

    def module_uninstall(self):
        self._paas_agent_check_removal()
        return super().module_uninstall()

    def _paas_agent_check_removal(self):
        if is_platform(self.env):
            return
        protected = _protected_modules()
        touched = self.sudo().filtered(
            lambda module: module.name in protected and module.state in LOADED_STATES
        )
        if touched:
            raise AccessError(
                self.env._(
                    "%(modules)s cannot be uninstalled or changed here: the platform manages "
                    "the Woow PaaS Tenant Agent, which enforces your plan.",
                    modules=", ".join(sorted(touched.mapped("name"))),
                )
            )
