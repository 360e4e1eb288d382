from odoo import fields, models
from odoo.exceptions import UserError


class WoowPaasLifecycleMixin(models.AbstractModel):
    """State machine shared by subscriptions and tenants.

    A concrete model defines a ``state`` selection, lists its moves in
    :meth:`_paas_allowed_transitions` and exposes each move as a public
    ``action_*`` method built on :meth:`_paas_transition`. Layers hook into a
    move by overriding its ``action_*`` method (call ``super()``, then act), or
    open new moves by extending :meth:`_paas_allowed_transitions`.
    """

    _name = "woow.paas.lifecycle.mixin"
    _description = "Woow PaaS Lifecycle Mixin"
    # The woow.paas.event field that points at records of the concrete model.
    _paas_event_field = None

    event_count = fields.Integer(compute="_compute_event_count")

    def _compute_event_count(self):
        field = self._paas_event_field
        counts = (
            dict(
                self.env["woow.paas.event"]._read_group(
                    [(field, "in", self.ids)], [field], ["__count"]
                )
            )
            if field
            else {}
        )
        for rec in self:
            rec.event_count = counts.get(rec, 0)

    def action_view_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "woow_paas_core.woow_paas_event_action"
        )
        action["domain"] = [(self._paas_event_field, "=", self.id)]
        action["context"] = {}
        return action

    def _paas_allowed_transitions(self):
        """Return ``{state: {target_state, ...}}``, the moves this model allows.

        Override: take ``super()``'s dict, add or remove targets, return it.
        """
        return {}

    def _paas_state_label(self, state):
        return dict(self._fields["state"]._description_selection(self.env)).get(state, state)

    def _paas_check_transition(self, target):
        """Raise a UserError naming every record of ``self`` that cannot move
        to ``target``; nothing is written when one of them cannot."""
        allowed = self._paas_allowed_transitions()
        refused = self.filtered(lambda rec: target not in allowed.get(rec.state, ()))
        if refused:
            lines = "\n".join(
                f"- {rec.display_name}: {self._paas_state_label(rec.state)}" for rec in refused[:20]
            )
            raise UserError(
                self.env._(
                    "%(model)s cannot move to %(target)s from their current status:\n%(lines)s",
                    model=self._description,
                    target=self._paas_state_label(target),
                    lines=lines,
                )
            )

    def _paas_transition(self, target, event_type, vals=None, note=None, payload=None):
        """Move ``self`` to ``target`` in one batch: check, write, log in the
        chatter and emit ``event_type`` (payload gains ``from`` and ``to``).

        Returns ``True`` so that ``action_*`` methods can be used as buttons.
        """
        if not self:
            return True
        self._paas_check_transition(target)
        by_source = self.grouped("state")
        self.write(dict(vals or {}, state=target))
        target_label = self._paas_state_label(target)
        bodies = {}
        for source, recs in by_source.items():
            text = self.env._(
                "Status: %(old)s → %(new)s",
                old=self._paas_state_label(source),
                new=target_label,
            )
            if note:
                text = f"{text}. {note}"
            bodies.update(dict.fromkeys(recs.ids, text))
        self._message_log_batch(bodies=bodies)
        events = self.env["woow.paas.event"]
        for source, recs in by_source.items():
            events |= events._emit(
                event_type, recs, dict(payload or {}, **{"from": source, "to": target})
            )
        return True
