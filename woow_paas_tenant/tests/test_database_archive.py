"""Archive and restore of database tenants on the second PostgreSQL
cluster: dump, drop once committed, restore intact, archives deleted after
their grace period."""

import os
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError

from odoo.addons.woow_paas_tenant import pgtools
from odoo.addons.woow_paas_tenant.models import woow_paas_tenant_archive_mixin as archive_module

from .common import WoowPaasDatabaseTenantCase


class TestDatabaseTenantArchive(WoowPaasDatabaseTenantCase):
    def test_archive_restore(self):
        """Archive dumps the database and filestore then drops them once
        committed; Restore brings them back with the data intact; a missing
        or corrupt dump is refused with nothing made."""
        tenant = self._new_tenant("db-archive")
        self._provision(tenant)
        self._tenant_db(tenant, "UPDATE res_partner SET comment = 'kept' WHERE id = 1 RETURNING id")
        marker = os.path.join(pgtools.filestore_path(tenant.paas_db_name), "kept.txt")
        with open(marker, "w") as f:
            f.write("kept")
        before = self._snapshot(tenant)
        folder = os.path.join(self.cluster.datadir, "archives")
        self.env["ir.config_parameter"].set_param("woow_paas_tenant.archive_dir", folder)

        tenant.action_archive()
        self.assertEqual(tenant.state, "archived")
        self.assertTrue(os.path.isfile(f"{tenant.paas_archive_path}.dump"))
        self.assertTrue(pgtools.db_exists(self.cluster.conninfo, tenant.paas_db_name))
        # What the commit would run: the drop (only ours, not other addons' hooks).
        drops = [
            func
            for func in self.env.cr.postcommit._funcs
            if getattr(func, "func", None) is archive_module._paas_drop
        ]
        self.assertEqual(len(drops), 1)
        drops[0]()
        self.assertFalse(pgtools.db_exists(self.cluster.conninfo, tenant.paas_db_name))
        self.assertFalse(os.path.exists(marker))
        with self.assertRaisesRegex(UserError, "restore it instead"):
            tenant.action_activate()

        dump = f"{tenant.paas_archive_path}.dump"
        os.rename(dump, f"{dump}.moved")
        with self.assertRaisesRegex(UserError, "missing or corrupt"):
            tenant.action_restore()
        with open(dump, "wb") as f:
            f.write(b"PGDMP not really a dump")
        with self.assertRaisesRegex(UserError, "missing or corrupt"):
            tenant.action_restore()
        self.assertFalse(pgtools.db_exists(self.cluster.conninfo, tenant.paas_db_name))
        self.assertEqual(tenant.state, "archived")
        os.rename(f"{dump}.moved", dump)

        tenant.action_restore()
        self.assertEqual(tenant.state, "active")
        after = self._snapshot(tenant)
        self.assertEqual(after, before)
        self.assertEqual(
            self._tenant_db(tenant, "SELECT comment FROM res_partner WHERE id = 1"), [("kept",)]
        )
        with open(marker) as f:
            self.assertEqual(f.read(), "kept")
        _session, signed_in = self._login(tenant)
        self.assertTrue(signed_in)

    def test_archive_deleted_after_grace(self):
        """Delete Archive keeps the dump for the grace period (Keep Archive
        cancels); the daily job then removes the files, once, and Restore is
        no longer offered."""
        tenant = self._new_tenant("db-purge")
        self._provision(tenant)
        folder = os.path.join(self.cluster.datadir, "archives-purge")
        params = self.env["ir.config_parameter"]
        params.set_param("woow_paas_tenant.archive_dir", folder)
        params.set_param("woow_paas_tenant.archive_delete_grace_days", "3")
        tenant.action_archive()
        base = tenant.paas_archive_path
        files = [f"{base}.dump", f"{base}.filestore.tar.gz"]
        self.assertTrue(all(os.path.isfile(path) for path in files))
        with self.assertRaises(AccessError):
            tenant.with_user(self.paas_user).action_delete_archive()

        tenant.with_user(self.paas_manager).action_delete_archive()
        today = fields.Date.context_today(tenant)
        self.assertEqual(tenant.paas_archive_delete_date, today + timedelta(days=3))
        Tenant = self.env["woow.paas.tenant"]
        Tenant._cron_delete_archives()
        self.assertTrue(all(os.path.isfile(path) for path in files), "deleted before its day")
        tenant.with_user(self.paas_manager).action_keep_archive()
        self.assertFalse(tenant.paas_archive_delete_date)

        tenant.with_user(self.paas_manager).action_delete_archive()
        with freeze_time(today + timedelta(days=3)):
            Tenant._cron_delete_archives()
            Tenant._cron_delete_archives()
        self.assertFalse(any(os.path.exists(path) for path in files))
        self.assertFalse(tenant.paas_archive_path)
        self.assertEqual(tenant.state, "archived")
        self.assertEmitted(tenant, "tenant.archive_deleted", count=1)
        with self.assertRaisesRegex(UserError, "archived with its dump"):
            tenant.action_restore()
        with self.assertRaisesRegex(UserError, "still have their archive"):
            tenant.with_user(self.paas_manager).action_delete_archive()
