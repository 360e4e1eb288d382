"""The administrator's sign-in links of database tenants, without a tenant
database (the push into it is replaced): one made at provisioning, shown
until it expires or is replaced, and fresh ones made on request; and the
queued job of a provisioning that is cancelled."""

import hashlib
import time
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import psycopg2
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.sql_db import db_connect

from odoo.addons.woow_paas_tenant.provisioning import PROVISION_LOCK_KEY

from .common import WoowPaasTenantCase


class TestSigninLink(WoowPaasTenantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db_plan = cls.env["woow.paas.plan"].create(
            {"name": "Signin Database", "code": "signin-db", "price": 10.0,
             "paas_isolation": "database"}
        )  # fmt: skip
        cls.db_sub = cls._subscription(partner=cls.customer_a, plan=cls.db_plan)
        cls.db_sub.action_activate()
        cls.tenant = cls._tenant("signin-db", cls.db_sub)
        # What provisioning leaves (the database itself is not needed here).
        cls.tenant.write(
            {
                "state": "active",
                "paas_db_name": "nowhere_signin-db",
                "paas_admin_login": "owner@customer-a.example.com",
                "paas_signin_token": "t" * 43,
                "paas_signin_expires": fields.Datetime.now() + timedelta(days=7),
            }
        )
        cls.Tenant = type(cls.env["woow.paas.tenant"])

    def _pushes(self, side_effect=None):
        return patch.object(self.Tenant, "_paas_push_signin", autospec=True,
                            side_effect=side_effect)  # fmt: skip

    def test_first_link_until_expired(self):
        """The provisioning's link is offered while it may work: until its
        expiry, and only for a running tenant."""
        url, expires = self.tenant._paas_first_signin_link()
        self.assertEqual(url, f"{self.tenant.paas_url}/woow_paas_agent/signin?token={'t' * 43}")
        self.assertEqual(expires, self.tenant.paas_signin_expires)
        # The agent's record carries the same expiry.
        record_expiry = int(self.tenant._paas_signin_param().rsplit(":", 1)[1])
        self.assertAlmostEqual(record_expiry, expires.timestamp(), delta=1)
        with freeze_time(expires + timedelta(seconds=1)):
            self.assertEqual(self.tenant._paas_first_signin_link(), (False, False))
        self.tenant.write({"state": "suspended"})
        self.assertTrue(self.tenant._paas_first_signin_link()[0])
        self.tenant.write({"state": "failed"})
        self.assertEqual(self.tenant._paas_first_signin_link(), (False, False))

    def test_mint_pushes_hash_and_short_expiry(self):
        """A link made on request: the tenant database gets the token's hash,
        the administrator and an expiry five minutes ahead; the token is only
        in the URL; the provisioning's link is forgotten; the chatter and
        the event log say who asked."""
        with self._pushes() as push:
            url = self.tenant.with_user(self.portal_a)._paas_mint_signin_link()
        token = parse_qs(urlsplit(url).query)["token"][0]
        self.assertTrue(url.startswith(f"{self.tenant.paas_url}/woow_paas_agent/signin?token="))
        self.assertGreaterEqual(len(token), 43)
        ((_tenant, param),) = [call.args for call in push.call_args_list]
        digest, uid, expires = param.split(":")
        self.assertEqual(digest, hashlib.sha256(token.encode()).hexdigest())
        self.assertEqual(uid, "{uid}")
        self.assertAlmostEqual(int(expires), time.time() + 300, delta=5)
        self.assertNotIn(token, param)
        self.assertFalse(self.tenant.paas_signin_token)
        self.assertEqual(self.tenant._paas_first_signin_link(), (False, False))
        event = self.assertEmitted(self.tenant, "tenant.signin_link_issued", count=1)
        self.assertEqual(event.user_id, self.portal_a)
        self.assertNotIn(token, str(event.payload))
        self.assertIn(f"issued to {self.portal_a.name}", self.tenant.message_ids[0].body)
        # Each request makes another link.
        with self._pushes():
            self.assertNotEqual(self.tenant._paas_mint_signin_link(), url)

    def test_mint_refused_without_running_database(self):
        """No running database, or one that does not answer: refused with a
        sentence, nothing recorded."""
        refused = psycopg2.OperationalError("connection refused")
        with (
            self._pushes(side_effect=refused),
            self.assertRaisesRegex(UserError, "does not answer right now"),
        ):
            self.tenant._paas_mint_signin_link()
        self.assertTrue(self.tenant.paas_signin_token)
        shared = self.tenant_a  # a shared tenant has no database
        self.tenant.write({"state": "archived"})
        with self._pushes() as push:
            for tenant in (shared, self.tenant):
                with self.assertRaisesRegex(UserError, "no database to sign in to"):
                    tenant._paas_mint_signin_link()
        push.assert_not_called()
        self.assertFalse(self._events(self.tenant | shared, "tenant.signin_link_issued"))

    def test_cancel_stuck_cancels_its_job(self):
        """Cancelling a provisioning that does not end cancels its queued
        job; while its job runs (holding the tenant's lock) it is refused."""
        tenant = self._tenant("signin-stuck", self.db_sub)
        tenant.write({"state": "provisioning"})
        key = tenant._paas_provision_job_key()
        tenant.with_delay(identity_key=key)._paas_provision_job()
        job = self.env["queue.job"].search([("identity_key", "=", key)])
        self.assertEqual(job.state, "pending")
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute("SELECT pg_advisory_lock(%s, %s)", [PROVISION_LOCK_KEY, tenant.id])
            with self.assertRaisesRegex(UserError, "at this very moment"):
                tenant.with_user(self.paas_user).action_cancel_provisioning()
        finally:
            other.execute("SELECT pg_advisory_unlock_all()")
            other.close()
        self.assertEqual((tenant.state, job.state), ("provisioning", "pending"))
        tenant.with_user(self.paas_user).action_cancel_provisioning()
        self.assertEqual((tenant.state, job.state), ("failed", "cancelled"))
