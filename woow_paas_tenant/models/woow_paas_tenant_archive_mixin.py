import functools
import logging
import os
import tarfile
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from odoo.addons.woow_paas_core.models.const import SUBSCRIPTION_RUNNING

from .. import pgtools

_logger = logging.getLogger(__name__)


class WoowPaasTenantArchiveMixin(models.AbstractModel):
    """Archive and restore of database tenants (``woow.paas.tenant``):
    archiving dumps the database and filestore before dropping them,
    Restore brings them back, and archives are deleted after a grace period."""

    _name = "woow.paas.tenant.archive.mixin"
    _description = "PaaS Tenant Archive"

    paas_archive_path = fields.Char(
        string="Archive",
        readonly=True,
        copy=False,
        help="Where the archived database and filestore are kept (.dump and "
        ".filestore.tar.gz): Restore brings them back.",
    )
    paas_archive_delete_date = fields.Date(
        string="Archive Deleted On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Delete Archive keeps the archive for a grace period (setting "
        "woow_paas_tenant.archive_delete_grace_days, 7 days by default), then a daily "
        "job removes it for good; Keep Archive cancels before then.",
    )

    def _paas_allowed_transitions(self):
        """Override of ``woow_paas_core``: an archived database tenant may be
        restored (only through :meth:`action_restore`)."""
        moves = super()._paas_allowed_transitions()
        moves["archived"] = set(moves.get("archived", set())) | {"active", "suspended"}
        return moves

    def action_activate(self):
        """Override of ``woow_paas_core``: reactivation is for suspended
        tenants; archived ones come back with Restore."""
        archived = self.filtered(lambda t: t.state == "archived")
        if archived:
            raise UserError(
                self.env._(
                    "Tenant %s is archived: restore it instead of reactivating it.",
                    archived[0].name,
                )
            )
        return super().action_activate()

    def _paas_archive_dir(self):
        params = self.env["ir.config_parameter"].sudo()
        folder = params.get_param("woow_paas_tenant.archive_dir") or os.path.join(
            config["data_dir"], "woow_paas_archives", self.env.cr.dbname
        )
        os.makedirs(folder, exist_ok=True)
        return folder

    def action_archive(self):
        """Override of ``woow_paas_core``: a database tenant is first dumped
        (``pg_dump`` and its filestore, into the archive folder, checked
        readable); its database and filestore are dropped once the archive
        has committed. A failed dump refuses the move."""
        self._paas_check_transition("archived")
        databases = self.sudo().filtered(
            lambda t: t.paas_db_name and t.state not in ("archived", "draft")
        )
        for tenant in databases:
            base = os.path.join(self._paas_archive_dir(), tenant.paas_db_name)
            conninfo = tenant._paas_conninfo()
            try:
                if pgtools.db_exists(conninfo, tenant.paas_db_name):
                    pgtools.dump_db(conninfo, tenant.paas_db_name, f"{base}.dump")
                    pgtools.archive_filestore(tenant.paas_db_name, f"{base}.filestore.tar.gz")
            except (RuntimeError, OSError, pgtools.TransientError) as exc:
                raise UserError(
                    self.env._(
                        "Tenant %(tenant)s could not be archived: %(reason)s",
                        tenant=tenant.name,
                        reason=exc,
                    )
                ) from exc
            tenant.write({"paas_archive_path": base})
        res = super().action_archive()
        for tenant in databases:
            self.env.cr.postcommit.add(
                functools.partial(_paas_drop, tenant._paas_conninfo(), tenant.paas_db_name)
            )
        return res

    def action_restore(self):
        """Bring an archived database tenant back from its archive, exactly
        as it was (archived → active). A missing or corrupt archive is
        refused with nothing made."""
        for tenant in self.sudo():
            if tenant.state != "archived" or not tenant.paas_archive_path:
                raise UserError(
                    self.env._(
                        "Only a database tenant archived with its dump can be restored: %s.",
                        tenant.name,
                    )
                )
            dump = f"{tenant.paas_archive_path}.dump"
            files = f"{tenant.paas_archive_path}.filestore.tar.gz"
            if not pgtools.check_dump(dump) or not os.path.isfile(files):
                raise UserError(
                    self.env._(
                        "The archive of tenant %(tenant)s is missing or corrupt (%(path)s).",
                        tenant=tenant.name,
                        path=dump,
                    )
                )
            conninfo = tenant._paas_conninfo()
            try:
                if pgtools.db_exists(conninfo, tenant.paas_db_name):
                    raise RuntimeError(f"database {tenant.paas_db_name} already exists")
                pgtools.restore_db(conninfo, tenant.paas_db_name, dump)
                try:
                    pgtools.restore_filestore(tenant.paas_db_name, files)
                except (OSError, tarfile.TarError):
                    pgtools.drop_db(conninfo, tenant.paas_db_name)
                    raise
            except (RuntimeError, OSError, tarfile.TarError, pgtools.TransientError) as exc:
                raise UserError(
                    self.env._(
                        "Tenant %(tenant)s could not be restored: %(reason)s",
                        tenant=tenant.name,
                        reason=exc,
                    )
                ) from exc
        self._paas_reactivate_restored()
        return True

    def _paas_check_archive_manager(self):
        if not self.env.su and not self.env.user.has_group("woow_paas_core.group_paas_manager"):
            raise AccessError(
                self.env._("Only a PaaS Manager can delete or keep a tenant's archive.")
            )

    def action_delete_archive(self):
        """Schedule the removal of archived tenants' dumps after the grace
        period; until then Keep Archive (or Restore) still works."""
        self._paas_check_archive_manager()
        tenants = self.sudo().filtered(
            lambda t: (
                t.state == "archived" and t.paas_archive_path and not t.paas_archive_delete_date
            )
        )
        if len(tenants) != len(self):
            raise UserError(
                self.env._(
                    "Only archived tenants that still have their archive can have it deleted."
                )
            )
        params = self.env["ir.config_parameter"].sudo()
        try:
            grace = max(int(params.get_param("woow_paas_tenant.archive_delete_grace_days", 7)), 0)
        except ValueError:
            grace = 7
        when = fields.Date.context_today(self) + timedelta(days=grace)
        tenants.write({"paas_archive_delete_date": when})
        for tenant in tenants:
            tenant.message_post(
                body=self.env._("The archive will be deleted on %s.", when),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_keep_archive(self):
        """Cancel a scheduled deletion of the archive."""
        self._paas_check_archive_manager()
        tenants = self.sudo().filtered("paas_archive_delete_date")
        tenants.write({"paas_archive_delete_date": False})
        for tenant in tenants:
            tenant.message_post(
                body=self.env._("The archive is kept."), subtype_xmlid="mail.mt_note"
            )
        return True

    @api.model
    def _cron_delete_archives(self, batch_size=100):
        """Remove the archives whose grace period has ended: files first,
        then the record's link to them, one tenant per savepoint so that a
        file that cannot be removed only holds back its own tenant."""
        tenants = self.sudo().search(
            [
                ("state", "=", "archived"),
                ("paas_archive_delete_date", "<=", fields.Date.context_today(self)),
            ],
            limit=batch_size,
        )
        for tenant in tenants:
            base = tenant.paas_archive_path
            try:
                for path in (f"{base}.dump", f"{base}.filestore.tar.gz"):
                    if base and os.path.exists(path):
                        os.remove(path)
            except OSError as exc:
                _logger.warning("Archive of tenant %s not deleted: %s", tenant.code, exc)
                continue
            tenant.write({"paas_archive_path": False, "paas_archive_delete_date": False})
            self.env["woow.paas.event"]._emit(
                "tenant.archive_deleted", tenant, {"code": tenant.code, "path": base}
            )
        if len(tenants) == batch_size:
            self.env.ref("woow_paas_tenant.ir_cron_delete_archives")._trigger()

    def _paas_reactivate_restored(self):
        """Like the end of provisioning: active under a running subscription,
        else suspended until it runs again."""
        running = self.filtered(lambda t: t.subscription_id.state in SUBSCRIPTION_RUNNING)
        vals = {"archived_date": False, "paas_archive_delete_date": False}
        running._paas_transition("active", "tenant.restored", vals=vals)
        (self - running)._paas_transition(
            "suspended", "tenant.restored", vals=dict(vals, suspended_by_subscription=True)
        )
        self._paas_push_params_safe()


def _paas_drop(conninfo, dbname):
    """After the archive committed: drop the database and its filestore."""
    try:
        pgtools.drop_db(conninfo, dbname)
    except (pgtools.TransientError, psycopg2.Error):
        _logger.warning("Archived tenant database %s could not be dropped", dbname, exc_info=True)
    pgtools.remove_filestore(dbname)
