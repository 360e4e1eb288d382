"""SQL run on a tenant's own Odoo database (through a :mod:`.pgtools`
cursor), where the platform's ORM does not reach."""

import uuid

from odoo import fields

# The agent's parameter for the administrator's one-time sign-in link.
SIGNIN_PARAM = "woow_paas_agent.signin"
# Prefix of the system parameters pushed into a tenant database, read there by
# woow_paas_tenant_agent.
AGENT_PARAM = "woow_paas_agent."
# The addon that enforces the limits inside a tenant database.
AGENT_MODULE = "woow_paas_tenant_agent"


def xmlid(cr, module, name):
    cr.execute("SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s", [module, name])
    return cr.fetchone()[0]


def set_param(cr, key, value):
    cr.execute(
        """INSERT INTO ir_config_parameter
                  (key, value, create_uid, write_uid, create_date, write_date)
           VALUES (%s, %s, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC')
               ON CONFLICT (key) DO UPDATE
              SET value = EXCLUDED.value, write_date = EXCLUDED.write_date""",
        [key, value],
    )


def agent_params(cr):
    """The platform's parameters found in the tenant database."""
    cr.execute(
        "SELECT key, value FROM ir_config_parameter WHERE key LIKE %s",
        [AGENT_PARAM.replace("_", "\\_") + "%"],
    )
    return dict(cr.fetchall())


def signal_params(cr):
    """Odoo's inter-process signaling: the tenant's workers reload the cached
    parameters (ir.config_parameter uses the 'stable' cache)."""
    cr.execute("INSERT INTO orm_signaling_stable DEFAULT VALUES")


def renew_identity(cr):
    """A database copied from a template gets its own UUID and secret."""
    for key, value in (
        ("database.uuid", str(uuid.uuid1())),
        ("database.secret", str(uuid.uuid4())),
        ("database.create_date", fields.Datetime.to_string(fields.Datetime.now())),
    ):
        set_param(cr, key, value)


def set_admin_password(cr, hashed):
    cr.execute(
        "UPDATE res_users SET password = %s WHERE id = %s",
        [hashed, xmlid(cr, "base", "user_admin")],
    )


def count_internal_users(cr):
    """Active internal users of the tenant database on ``cr``: members of
    ``base.group_user``, directly or through a group implying it, as the
    agent counts them (the group tables grant access, whatever the
    ``share`` flag says); the superuser is not counted."""
    cr.execute(
        """WITH RECURSIVE internal(gid) AS (
                SELECT res_id FROM ir_model_data
                 WHERE module = 'base' AND name = 'group_user' AND model = 'res.groups'
            UNION
                SELECT rel.gid FROM res_groups_implied_rel rel
                  JOIN internal ON internal.gid = rel.hid
           )
           SELECT count(DISTINCT u.id) FROM res_users u
             JOIN res_groups_users_rel member ON member.uid = u.id
            WHERE u.active AND u.id != 1 AND member.gid IN (SELECT gid FROM internal)"""
    )
    return cr.fetchone()[0]


def agent_installed(cr):
    cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [AGENT_MODULE])
    state = cr.fetchone()
    return bool(state) and state[0] in ("installed", "to upgrade")
