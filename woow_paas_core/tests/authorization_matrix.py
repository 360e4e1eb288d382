"""The authorization matrix: what a PaaS User and a portal user may write.

:class:`AuthorizationMatrixCase` is the machinery; every addon that gives a
PaaS User or a portal user write access (``ir.model.access``) to one of its
own models has a ``tests/test_authorization_matrix.py`` with a subclass that
covers those models (``tests/test_structure.py`` checks it):

- :attr:`~AuthorizationMatrixCase.matrix_module` names the addon;
- :attr:`~AuthorizationMatrixCase.intended` lists, per model and role, the
  fields the role may write on a record it reaches;
- :meth:`~AuthorizationMatrixCase._matrix_targets` gives that record per
  model (extend it through ``super()``);
- :attr:`~AuthorizationMatrixCase.attack_values` gives values for fields
  whose own validation a generic value would not pass.

The test tries to write every field of each target with a value that would
matter to an attacker: another user (the administrator), another company,
another customer, another plan, a flag flipped. A write that goes through
must be listed in ``intended``; a field listed there must still be writable.
A field added without protection, or a protection lost, fails the test; a
model of ``matrix_module`` with write access that the matrix does not know
fails it until it is added with a fixture record and its intended fields.

In another addon, import this module, not the class (a test module's
namespace is collected by pytest: the class itself would run there too)::

    from odoo.addons.woow_paas_core.tests import authorization_matrix

    class TestFooAuthorizationMatrix(authorization_matrix.AuthorizationMatrixCase):
        matrix_module = "woow_paas_foo"
        intended = {...}

This module is not named ``test_*``: neither Odoo's loader nor pytest runs
the base class on its own, and it skips itself if it is ever collected.
"""

import datetime
import unittest

from psycopg2 import Error as PsycopgError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import mute_logger

from .common import WoowPaasCase

# Fields every model has that the ORM itself owns.
MAGIC = {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name"}


class _Written(Exception):
    """Raised inside the savepoint of a write that went through, to roll it back."""


class AuthorizationMatrixCase(WoowPaasCase):
    """Every field a PaaS User or a portal user can write is one we chose.

    Subclasses set :attr:`matrix_module` and :attr:`intended` and extend
    :meth:`_matrix_targets`; they are tagged ``post_install`` themselves.
    """

    # Odoo's loader runs only the test methods a class defines itself,
    # unless this is set: the subclasses inherit theirs from here.
    allow_inherited_tests_method = True

    #: The addon whose models (by ``_original_module``) this class covers.
    matrix_module = None
    #: {model: {role: {fields a role may write on a record it reaches}}}.
    #: Every entry is a decision: business data the role edits on purpose.
    intended = {}
    #: {field name: value} for char/text fields, a value that passes the
    #: field's own validation, so that what the test meets is the protection.
    attack_values = {}

    @classmethod
    def setUpClass(cls):
        if cls is AuthorizationMatrixCase:
            raise unittest.SkipTest("the base class: its subclasses run the matrix")
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
        cls.targets = cls._matrix_targets()

    @classmethod
    def _matrix_targets(cls):
        """{model: record}: the record of each model of :attr:`intended` that
        the roles reach. Called at the end of ``setUpClass``, with the shared
        fixtures set; subclasses add theirs to ``super()``'s."""
        return {}

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
        if field.name in self.attack_values and field.type in ("char", "text"):
            return self.attack_values[field.name]
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
        """A Woow PaaS model of :attr:`matrix_module` a PaaS User or a portal
        user may write has an entry."""
        missing = []
        for name, model in self.env.registry.items():
            if (
                not name.startswith("woow.paas.")
                or model._abstract
                or model._transient
                or model._original_module != self.matrix_module
            ):
                continue
            roles = self._roles_with_write(name)
            missing += [
                f"{name} ({role})" for role in roles if role not in self.intended.get(name, {})
            ]
        self.assertFalse(
            missing,
            f"Writable models of {self.matrix_module} without an authorization matrix entry "
            "(add a fixture record and the fields each role may write): "
            + ", ".join(sorted(missing)),
        )

    def test_only_intended_fields_are_writable(self):
        """Each role writes exactly the fields the matrix lists, nothing more."""
        report = []
        for model, roles in self.intended.items():
            # res.users: the user's own record, see the core's matrix.
            if model == "res.users":
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
