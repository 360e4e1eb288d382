import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class WoowPaasLifecycleMixin(models.AbstractModel):
    """State machine shared by subscriptions and tenants.

    A concrete model defines a ``state`` selection, lists its moves in
    :meth:`_paas_allowed_transitions` and exposes each move as a public
    ``action_*`` method built on :meth:`_paas_transition`. Layers hook into a
    move by overriding its ``action_*`` method (call ``super()``, then act), or
    open new moves by extending :meth:`_paas_allowed_transitions`.

    The fields that only the moves may change are declared once, in
    :meth:`_paas_protected_fields`: ``create``, ``write``, ``copy`` and
    imports refuse them for everyone but the superuser. The moves check the
    caller's access, then write as superuser, so no context key can open
    that door.
    """

    _name = "woow.paas.lifecycle.mixin"
    _description = "Woow PaaS Lifecycle Mixin"
    # The woow.paas.event field that points at records of the concrete model.
    _paas_event_field = None

    event_count = fields.Integer(
        compute="_compute_event_count", groups="woow_paas_core.group_paas_user"
    )
    paas_retry_at = fields.Datetime(
        string="Scheduled Work Retries At",
        readonly=True,
        copy=False,
        help="Set when scheduled work (renewal, trial expiry...) failed on this record: "
        "the schedulers leave it alone until then.",
    )

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

    # ------------------------------------------------------------------
    # Protected fields
    # ------------------------------------------------------------------
    def _paas_protected_fields(self):
        """Hook: ``{field: (editable_states, hint)}`` for the fields that the
        moves own. ``editable_states`` is a set of states in which a plain
        write is still allowed (``None``: never); ``hint`` names the action
        to use instead. Override: extend ``super()``'s dict."""
        return {
            "state": (None, self.env._("use the status buttons (their actions) instead")),
            "paas_retry_at": (None, self.env._("it is set by the schedulers")),
        }

    def _paas_computed_written(self, names):
        """The stored fields among ``names`` that the ORM computes and nothing
        inverts (stored related fields included): a plain write would only
        overwrite their column, out of step with what they are computed
        from (a tenant's plan, a subscription's MRR, a record's customer)."""
        return [
            name
            for name in names
            if (field := self._fields.get(name))
            and field.store
            and field.compute
            and not field.inverse
        ]

    def _paas_protected_error(self, field_name, hint):
        return UserError(
            self.env._(
                "%(model)s: the field “%(field)s” is managed by the platform; %(hint)s.",
                model=self._description,
                field=self._fields[field_name]._description_string(self.env),
                hint=hint,
            )
        )

    def _paas_check_protected_create(self, vals_list):
        """Refuse protected values in ``vals_list``: a concrete model calls
        it first thing in ``create``, before it fills in values of its own."""
        if self.env.su:
            return
        protected = self._paas_protected_fields()
        computed_hint = self.env._("it is computed")
        for vals in vals_list:
            for name in self._paas_computed_written(vals):
                self.check_access("create")
                raise self._paas_protected_error(name, computed_hint)
            for name, (states, hint) in protected.items():
                if states and "draft" in states:
                    continue  # a new record is a draft: these are still free
                value = vals.get(name)
                if value and value != self._paas_create_allowed_value(name):
                    # Who may not create at all hears that first.
                    self.check_access("create")
                    raise self._paas_protected_error(name, hint)

    def _paas_create_allowed_value(self, field_name):
        """The value a caller may still pass at creation (the default)."""
        return {"state": "draft"}.get(field_name)

    def _paas_check_protected_write(self, vals):
        if self.env.su:
            return
        for name in self._paas_computed_written(vals):
            self.check_access("write")
            raise self._paas_protected_error(name, self.env._("it is computed"))
        for name, (states, hint) in self._paas_protected_fields().items():
            if name not in vals:
                continue
            if states is None or any(rec.state not in states for rec in self):
                self.check_access("write")
                raise self._paas_protected_error(name, hint)

    def write(self, vals):
        self._paas_check_protected_write(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Moves
    # ------------------------------------------------------------------
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
        to ``target``; nothing is written when one of them cannot. The
        caller must be allowed to write every record of the batch."""
        self.check_access("write")
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

        The write runs as superuser once the caller's access is checked:
        the fields it sets are protected against plain writes.
        Returns ``True`` so that ``action_*`` methods can be used as buttons.
        """
        if not self:
            return True
        self._paas_check_transition(target)
        by_source = self.grouped("state")
        self.sudo().write(dict(vals or {}, state=target))
        target_label = self._paas_state_label(target)
        bodies = {}
        for source, recs in by_source.items():
            text = Markup("%s") % self.env._(
                "Status: %(old)s → %(new)s",
                old=self._paas_state_label(source),
                new=target_label,
            )
            if note:
                # Markup escapes the note: a reason with < or & shows as typed.
                text = Markup("%s. %s") % (text, note)
            bodies.update(dict.fromkeys(recs.ids, text))
        self._message_log_batch(bodies=bodies)
        events = self.env["woow.paas.event"]
        for source, recs in by_source.items():
            events |= events._emit(
                event_type, recs, dict(payload or {}, **{"from": source, "to": target})
            )
        return True

    # ------------------------------------------------------------------
    # Scheduled work
    # ------------------------------------------------------------------
    @api.model
    def _paas_run_scheduled(self, domain, method, failure_event, cron_xmlid, batch_size):
        """Run ``method`` on one batch of the records matching ``domain``.

        The batch runs in one savepoint; when it raises, each record runs in
        its own so that one bad record neither blocks the others nor fails
        the cron (Odoo deactivates a cron that keeps failing). A failing
        record is logged in its chatter and as ``failure_event`` and left
        alone for an hour. From a cron, progress is committed per batch and
        Odoo calls again while work remains; called directly, a full batch
        re-triggers the cron.
        """
        now = fields.Datetime.now()
        domain = [
            *domain,
            "|",
            ("paas_retry_at", "=", False),
            ("paas_retry_at", "<=", now),
        ]
        records = self.search(domain, limit=batch_size, order="id")
        failed = records._paas_run_isolated(method, failure_event)
        done = records - failed
        if self.env.context.get("ir_cron_progress_id"):
            # Committing per batch is what keeps a long catch-up from being
            # rolled back whole; it is Odoo's own progress API for crons.
            remaining = self.search_count(domain) if len(records) == batch_size else 0
            self.env["ir.cron"]._commit_progress(len(done), remaining=remaining)
        elif len(records) == batch_size:
            self.env.ref(cron_xmlid)._trigger()
        return done

    def _paas_run_isolated(self, method, failure_event):
        """Call ``method`` on ``self`` as one batch, falling back to one
        record at a time when the batch raises; return the failed records."""
        if not self:
            return self
        try:
            with self.env.cr.savepoint():
                getattr(self, method)()
        except Exception as exc:  # noqa: BLE001 - any failure is isolated below
            if len(self) == 1:
                self._paas_record_failure(method, failure_event, exc)
                return self
        else:
            return self.browse()
        failed = self.browse()
        for rec in self:
            failed |= rec._paas_run_isolated(method, failure_event)
        return failed

    def _paas_record_failure(self, method, failure_event, exc):
        self.ensure_one()
        error = str(exc) or exc.__class__.__name__
        _logger.warning("%s on %s failed: %s", method, self.display_name, error)
        self.sudo().write({"paas_retry_at": fields.Datetime.now() + timedelta(hours=1)})
        self._message_log(
            body=Markup("%s") % self.env._("Scheduled work failed: %(error)s", error=error)
        )
        self.env["woow.paas.event"]._emit(
            failure_event, self, {"method": method, "error": error[:1000]}
        )
