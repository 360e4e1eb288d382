from odoo import api, models
from odoo.exceptions import AccessError, ValidationError

from .const import SCOPE_RIGHTS, SCOPES

MANAGER_GROUP = "woow_paas_core.group_paas_manager"
# The fields that say whom a record acts for.
OWNER_FIELDS = ("user_id", "company_id")


class WoowPaasApiOwnedMixin(models.AbstractModel):
    """Who an API credential or a webhook endpoint acts for, guarded.

    A key, an OAuth2 client and a webhook endpoint act for their owner
    (``user_id``) in a company (``company_id``): a key calls the API with its
    owner's rights, an endpoint receives its company's (or its customer's)
    events. Record rules judge a change on the record as it was before it, so
    they let a PaaS User write another owner or company on its own record;
    ``create`` and ``write`` therefore check the new values:

    * owner and company: a caller that is neither a PaaS Manager nor running
      as superuser creates records only for itself, in one of its own
      companies, and never moves a record to another owner or company;
    * platform fields (:meth:`_paas_platform_fields`): only code running as
      superuser writes them (the ``action_*`` methods do, after checking the
      caller's access);
    * scopes (models whose :attr:`_paas_scopes_field` names them): never more
      than the owner may do (:meth:`_paas_scopes_beyond`), whoever writes
      them.

    A model that inherits this has the ``user_id`` and ``company_id`` fields.
    """

    _name = "woow.paas.api.owned.mixin"
    _description = "PaaS API Owned Record Mixin"
    # The field holding the record's space-separated scopes, if it has scopes.
    _paas_scopes_field = None

    @api.constrains(
        lambda self: ("user_id", self._paas_scopes_field) if self._paas_scopes_field else ()
    )
    def _check_owner_scopes(self):
        for record in self.sudo():
            beyond = record._paas_scopes_beyond(
                record.user_id, (record[self._paas_scopes_field] or "").split()
            )
            if beyond:
                raise ValidationError(
                    self.env._(
                        "%(record)s: %(owner)s may not hold the scopes %(scopes)s. A "
                        "credential never allows more than its owner may do: a customer's "
                        "holds customer scopes, an operator's only the scopes its user has "
                        "the rights for.",
                        record=record.display_name,
                        owner=record.user_id.display_name,
                        scopes=", ".join(beyond),
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self._paas_is_trusted():
            for vals in vals_list:
                self._paas_check_owned_create(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self._paas_is_trusted():
            self._paas_check_owned_write(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Hooks and checks
    # ------------------------------------------------------------------
    def _paas_platform_fields(self):
        """Hook: ``{field: hint}`` for the fields only the platform writes;
        ``hint`` names the action that changes the field. Override: extend
        ``super()``'s dict."""
        return {}

    @api.model
    def _paas_scope_rights(self):
        """Hook: ``{scope: ((model, operation), ...)}``, the rights an internal
        owner needs for each scope: those that the scope's routes use, since
        they act as the owner. A model that is not installed is skipped (its
        routes are not served). Override: extend ``super()``'s dict."""
        return dict(SCOPE_RIGHTS)

    @api.model
    def _paas_customer_scopes(self):
        """Hook: the scopes a customer's credential (its portal user's) may
        hold. Every route of ``/api/v1`` serves a customer its own records
        (found for its customer, changed with the platform's rights), so all
        of them are customer scopes; a layer that adds a scope for operators
        only removes it here."""
        return set(SCOPES)

    @api.model
    def _paas_scopes_beyond(self, owner, scopes):
        """The scopes among ``scopes`` that ``owner`` may not hold, sorted."""
        if owner.share:
            return sorted(set(scopes) - self._paas_customer_scopes())
        rights = self._paas_scope_rights()
        return sorted(
            scope
            for scope in set(scopes)
            if any(
                model in self.env and not self.env[model].with_user(owner).has_access(operation)
                for model, operation in rights.get(scope, ())
            )
        )

    def _paas_is_trusted(self):
        """Whether the caller may give records to other owners and companies:
        a PaaS Manager, or code running as superuser."""
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    @api.model
    def _paas_vals_id(self, field_name, vals):
        """The id that ``vals`` gives a many2one field (or False)."""
        return self._fields[field_name].convert_to_cache(vals[field_name], self) or False

    def _paas_owned_error(self, field_name):
        if field_name == "user_id":
            return AccessError(
                self.env._(
                    "%(model)s: you may only own it yourself; only a PaaS Manager gives it "
                    "to another user.",
                    model=self._description,
                )
            )
        return AccessError(
            self.env._(
                "%(model)s: it belongs to one of your own companies, chosen at creation; only "
                "a PaaS Manager moves it to another company.",
                model=self._description,
            )
        )

    def _paas_platform_error(self, field_names):
        hints = self._paas_platform_fields()
        return AccessError(
            "\n".join(
                self.env._(
                    "%(model)s: the field “%(field)s” is managed by the platform; %(hint)s.",
                    model=self._description,
                    field=self._fields[name]._description_string(self.env),
                    hint=hints[name],
                )
                for name in field_names
            )
        )

    def _paas_check_owned_create(self, vals):
        """Refuse, for an untrusted caller, a record for another user, in
        another company, or with platform fields set."""
        user = self.env.user
        refused = None
        if "user_id" in vals and self._paas_vals_id("user_id", vals) != user.id:
            refused = self._paas_owned_error("user_id")
        elif "company_id" in vals and (
            self._paas_vals_id("company_id", vals) not in user.company_ids.ids
        ):
            refused = self._paas_owned_error("company_id")
        elif platform := sorted(n for n in self._paas_platform_fields() if vals.get(n)):
            refused = self._paas_platform_error(platform)
        if refused:
            self.check_access("create")  # who may not create at all hears that first
            raise refused

    def _paas_check_owned_write(self, vals):
        """Refuse, for an untrusted caller, a new owner or company, or a
        platform field."""
        refused = None
        for name in OWNER_FIELDS:
            if name in vals:
                new = self._paas_vals_id(name, vals)
                if any(record[name].id != new for record in self):
                    refused = self._paas_owned_error(name)
                    break
        if not refused and (platform := sorted(self._paas_platform_fields().keys() & vals.keys())):
            refused = self._paas_platform_error(platform)
        if refused:
            self.check_access("write")  # who may not write at all hears that first
            raise refused
