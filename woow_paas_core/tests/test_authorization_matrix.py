"""The authorization matrix: what a PaaS User and a portal user may write.

For every Woow PaaS model on which one of these roles has write access
(``ir.model.access``), and for the Woow PaaS fields of ``res.partner`` and
``res.users`` (the user's own record), the test tries to write every field
of a record the role can reach with a value that would matter to an
attacker: another user (the administrator), another company, another
customer, another plan, a flag flipped. A write that goes through must be
listed in :data:`INTENDED`; a field listed there must still be writable.
A field added without protection, or a protection lost, fails the test.

Models of layers that are not installed are skipped; a model with write
access that the matrix does not know fails the test until it is added with
a fixture record and its intended fields.
"""

import datetime

from psycopg2 import Error as PsycopgError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WoowPaasCase

# Fields every model has that the ORM itself owns.
MAGIC = {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name"}

# Values that pass a field's own validation, so that what the test meets is
# the protection: every scope there is, a well-formed header, a real URI.
ATTACK_VALUES = {
    "scopes": (
        "plans:read subscriptions:read subscriptions:write tenants:read tenants:write "
        "events:read usage:write billing:read webhooks:manage"
    ),
    "custom_headers": '{"X-Matrix": "1"}',
    "redirect_uris": "https://app.example.com/callback",
    "url": "https://93.184.215.15/other",
    "event_types": "tenant.*",
}

# {model: {role: {fields a role may write on a record it reaches}}}. Every
# entry is a decision: business data the role edits on purpose.
INTENDED = {
    # Salesperson and colour; everything else moves through the actions.
    "woow.paas.subscription": {"paas_user": {"user_id", "color"}},
    # Operators name a tenant and choose who works in it (shared mode).
    "woow.paas.tenant": {"paas_user": {"name", "color", "paas_user_ids"}},
    # Scopes are writable within the owner's rights only (the attack value,
    # every scope, exceeds a PaaS User's); binding a key to a tenant narrows it.
    "woow.paas.api.key": {
        "paas_user": {"name", "expires_at", "rate_limit", "paas_tenant_id"},
    },
    "woow.paas.oauth.client": {
        "paas_user": {
            "name",
            "redirect_uris",
            "access_token_lifetime",
            "refresh_token_lifetime",
            "active",
        },
    },
    "woow.paas.webhook.endpoint": {
        "paas_user": {
            "url",
            "description",
            "event_types",
            "enabled",
            "ordered",
            "custom_headers",
        },
    },
    "woow.paas.tenant.config": {"paas_user": {"value"}},
    "woow.paas.example.project": {"paas_user": {"name", "description", "active"}},
    "woow.paas.example.task": {"paas_user": {"name", "user_id", "priority", "done"}},
    # Operators mark who is a customer.
    "res.partner": {"paas_user": {"is_paas_customer"}},
    # The current tenant is switched only among the allowed ones (the attack
    # value is a tenant the user is not allowed in).
    "res.users": {"paas_user": set(), "portal": set()},
}


class _Written(Exception):
    """Raised inside the savepoint of a write that went through, to roll it back."""


@tagged("post_install", "-at_install")
class TestAuthorizationMatrix(WoowPaasCase):
    """Every field a PaaS User or a portal user can write is one we chose."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.admin = env.ref("base.user_admin")
        cls.other_company = env["res.company"].create({"name": "Other Company (matrix)"})
        cls.private_plan = env["woow.paas.plan"].create(
            {"name": "Private (matrix)", "code": "private-matrix", "is_public": False}
        )
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        (cls.sub_a | cls.sub_b).action_activate()
        cls.tenant_a = cls._tenant("matrix-a", cls.sub_a)
        cls.tenant_b = cls._tenant("matrix-b", cls.sub_b)
        (cls.tenant_a | cls.tenant_b).action_provision()
        cls.users = {"paas_user": cls.paas_user, "portal": cls.portal_a}
        # The record each role reaches, per model: what an attacker holds.
        cls.targets = {"woow.paas.subscription": cls.sub_a, "woow.paas.tenant": cls.tenant_a}
        if "woow.paas.api.key" in env:
            cls.targets["woow.paas.api.key"] = env["woow.paas.api.key"].create(
                {"name": "Matrix key", "user_id": cls.paas_user.id, "scopes": "tenants:read"}
            )
        if "woow.paas.oauth.client" in env:
            cls.targets["woow.paas.oauth.client"] = env["woow.paas.oauth.client"].create(
                {"name": "Matrix client", "user_id": cls.paas_user.id, "scopes": "tenants:read"}
            )
        if "woow.paas.webhook.endpoint" in env:
            cls.targets["woow.paas.webhook.endpoint"] = env["woow.paas.webhook.endpoint"].create(
                {"url": "https://93.184.215.14/matrix", "user_id": cls.paas_user.id}
            )
        if "woow.paas.tenant.config" in env:
            key = env["woow.paas.config.key"].create(
                {"name": "Matrix Key", "code": "matrix_key", "value_type": "text"}
            )
            cls.targets["woow.paas.tenant.config"] = env["woow.paas.tenant.config"].create(
                {"tenant_id": cls.tenant_a.id, "key_id": key.id, "value": "one"}
            )
        cls.targets["res.partner"] = cls.customer_a
        if "woow.paas.example.project" in env:
            # The PaaS User works in tenant A; tenant B is out of its reach.
            cls.paas_user.write(
                {
                    "paas_tenant_ids": [Command.set(cls.tenant_a.ids)],
                    "paas_tenant_id": cls.tenant_a.id,
                }
            )
            Project = env["woow.paas.example.project"]
            project_a = Project.create({"name": "Matrix A", "tenant_id": cls.tenant_a.id})
            Project.create({"name": "Matrix B", "tenant_id": cls.tenant_b.id})
            cls.targets["woow.paas.example.project"] = project_a
            cls.targets["woow.paas.example.task"] = env["woow.paas.example.task"].create(
                {"name": "Matrix task", "project_id": project_a.id, "tenant_id": cls.tenant_a.id}
            )

    # ------------------------------------------------------------------
    # Values an attacker would write
    # ------------------------------------------------------------------
    def _other_record(self, comodel, current):
        """A record of ``comodel`` the attacker should not be able to point at."""
        preferred = {
            "res.users": self.admin,
            "res.company": self.other_company,
            "res.partner": self.customer_b,
            "woow.paas.plan": self.private_plan,
            "woow.paas.subscription": self.sub_b,
            "woow.paas.tenant": self.tenant_b,
        }.get(comodel)
        if preferred and preferred != current:
            return preferred
        return self.env[comodel].sudo().search([("id", "not in", current.ids)], limit=1)

    def _attack_value(self, record, field):
        current = record.sudo()[field.name]
        if field.name in ATTACK_VALUES and field.type in ("char", "text"):
            return ATTACK_VALUES[field.name]
        match field.type:
            case "boolean":
                return not current
            case "char" | "text" | "html":
                return f"{current or ''}x"
            case "integer" | "float" | "monetary":
                return (current or 0) + 7
            case "date":
                return (current or fields.Date.today()) + datetime.timedelta(days=3)
            case "datetime":
                return (current or fields.Datetime.now()) + datetime.timedelta(days=3)
            case "selection":
                values = [v for v, _label in field._description_selection(self.env)]
                others = [v for v in values if v != current]
                return others[0] if others else None
            case "many2one":
                other = self._other_record(field.comodel_name, current)
                return other.id if other else None
            case "many2many":
                other = self._other_record(field.comodel_name, current)
                return [Command.link(other.id)] if other else None
            case _:
                return None

    def _writable_fields(self, record, role):
        """Fields of ``record`` whose write by ``role`` goes through."""
        user = self.users[role]
        own_fields = [
            field
            for name, field in record._fields.items()
            if name not in MAGIC
            and field.store
            and field.type != "one2many"
            and (
                record._name.startswith("woow.paas.")
                or (field._module or "").startswith("woow_paas")
            )
        ]
        writable, untested = set(), set()
        for field in own_fields:
            value = self._attack_value(record, field)
            if value is None:
                untested.add(field.name)
                continue
            try:
                with mute_logger("odoo.sql_db", "odoo.models"), self.env.cr.savepoint():
                    record.with_user(user).write({field.name: value})
                    self.env.flush_all()
                    # Undo it: the next field is tried on the record as it was.
                    raise _Written
            except _Written:
                writable.add(field.name)
            except (AccessError, UserError, ValidationError, PsycopgError, ValueError):
                pass
            finally:
                self.env.invalidate_all()
        return writable, untested

    def _roles_with_write(self, model):
        Access = self.env["ir.model.access"]
        return [
            role
            for role, user in self.users.items()
            if Access.with_user(user).check(model, "write", raise_exception=False)
        ]

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_every_writable_model_is_in_the_matrix(self):
        """A Woow PaaS model a PaaS User or a portal user may write has an entry."""
        missing = []
        for name, model in self.env.registry.items():
            if not name.startswith("woow.paas.") or model._abstract or model._transient:
                continue
            roles = self._roles_with_write(name)
            missing += [f"{name} ({role})" for role in roles if role not in INTENDED.get(name, {})]
        self.assertFalse(
            missing,
            "Writable models without an authorization matrix entry (add a fixture record "
            "and the fields each role may write): " + ", ".join(sorted(missing)),
        )

    def test_only_intended_fields_are_writable(self):
        """Each role writes exactly the fields the matrix lists, nothing more."""
        report = []
        for model, roles in INTENDED.items():
            if model not in self.env or model == "res.users":
                continue
            record = self.targets.get(model)
            if record is None:
                report.append(f"{model}: no fixture record")
                continue
            for role, intended in roles.items():
                with self.subTest(model=model, role=role):
                    writable, _untested = self._writable_fields(record, role)
                    self.assertEqual(
                        writable,
                        set(intended),
                        f"{model} as {role}: unexpected {sorted(writable - set(intended))}, "
                        f"no longer writable {sorted(set(intended) - writable)}",
                    )
        self.assertFalse(report, "; ".join(report))

    def test_own_user_record(self):
        """On its own user, a role writes only the Woow PaaS fields listed."""
        for role, user in self.users.items():
            with self.subTest(role=role):
                writable, _untested = self._writable_fields(user, role)
                self.assertEqual(writable, INTENDED["res.users"][role])
