import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class WoowPaasLifecycleMixin(models.AbstractModel):
    """Override of ``woow_paas_core``: events that must survive a refusal."""

    _inherit = "woow.paas.lifecycle.mixin"

    def _paas_emit_durable(self, event_type, payload):
        """Emit ``event_type`` for ``self`` so that it survives a rollback.

        The event is written in the current transaction; if that transaction
        rolls back (the usual fate of one that raises), a post-rollback hook
        writes it again in a transaction of its own. So it is recorded exactly
        once whether the caller commits or rolls back. (Rolling back only to a
        savepoint, then committing, loses it.)
        """
        self.env["woow.paas.event"]._emit(event_type, self, payload)
        registry = self.env.registry
        model, ids, uid = self._name, tuple(self.ids), self.env.uid
        context = {"lang": self.env.context.get("lang")}

        def _replay():
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, uid, context)
                    # sudo: the user may not read the records (a tenant's own user).
                    records = env[model].sudo().browse(ids).exists()
                    if records:
                        env["woow.paas.event"]._emit(event_type, records, payload)
            except Exception:
                _logger.exception("Could not record %s after a rollback", event_type)

        self.env.cr.postrollback.add(_replay)
