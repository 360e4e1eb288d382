from .models.woow_paas_dashboard_dirty import DROP_TRIGGERS_SQL


def post_init_hook(env):
    """Build the snapshot of the history already in the event log."""
    env["woow.paas.dashboard"]._paas_refresh_snapshot(full=True)


def uninstall_hook(env):
    """The triggers live on core's tables: they must go with this addon."""
    env.cr.execute(DROP_TRIGGERS_SQL)
