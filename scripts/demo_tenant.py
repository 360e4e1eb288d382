"""Make sure the demo's database tenant runs (scripts/run.sh feeds this to
``odoo-bin shell``): the local PostgreSQL registered as a database server,
the Dedicated plan's template built, Northwind's tenant provisioned. Each
step is skipped when already done. Prints ``code login password sign-in-token``."""

# ruff: noqa: F821 - ``env`` is given by odoo-bin shell
from odoo.tools import config

tenant = env.ref("woow_paas_tenant.tenant_northwind_dedicated_demo", raise_if_not_found=False)
if not tenant:
    print("WOOW-DEMO-TENANT none")
else:
    Server = env["woow.paas.db.server"]
    server = Server.search([("name", "=", "Local PostgreSQL")], limit=1)
    if not server:
        server = Server.create(
            {
                "name": "Local PostgreSQL",
                "host": config["db_host"] or "127.0.0.1",
                "port": int(config["db_port"] or 5432),
                "role": config["db_user"],
                "password": config["db_password"] or False,
                "capacity": 20,
                "db_prefix": f"{env.cr.dbname}_t_",
            }
        )
    plan = tenant.plan_id
    template = plan._paas_template(server)
    if template.state != "ready" or not template._paas_ping_db():
        print(f"Building the template database {template.db_name} (odoo-bin -i {template.modules})")
        template._paas_build()
        env.cr.commit()
        if template.state != "ready":
            raise SystemExit(f"The template build failed:\n{template.build_log}")
    if tenant.state in ("draft", "failed"):
        tenant.with_context(queue_job__no_delay=True).action_provision()
        env.cr.commit()
    if tenant.state != "active":
        raise SystemExit(f"Tenant {tenant.code} is {tenant.state}: {tenant.state_message}")
    print(
        f"WOOW-DEMO-TENANT {tenant.code} {tenant.paas_admin_login} "
        f"{tenant.sudo().paas_admin_password or '(cleared)'} "
        f"{tenant.sudo().paas_signin_token or '-'}"
    )
