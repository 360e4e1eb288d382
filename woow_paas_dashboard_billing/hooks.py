from .models.woow_paas_dashboard_usage_day import DROP_SQL


def post_init_hook(env):
    """Sum the rollups already there."""
    env["woow.paas.dashboard.usage"]._paas_refresh_usage_snapshot(full=True)


def uninstall_hook(env):
    """The triggers and the index live on billing's table: they go with this addon."""
    env.cr.execute(DROP_SQL)
