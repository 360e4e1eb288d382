"""Save screenshots of the portal's main pages at phone (390 px) and
desktop (1440 px) widths, in headless Chromium, into docs/screenshots/.

The pages are served from a transaction that is rolled back (as the
benchmarks do, bench/chromium.py), so the database is left as it was:

    .venv/bin/python scripts/screenshots.py --config .work/odoo-test.conf --database woow_paas_test
"""

import argparse
import base64
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from chromium import Chromium, find_chromium, login_session, serve_transaction

WIDTHS = {"phone": 390, "desktop": 1440}


def _data(env):
    """Plans of a pricing page, a customer with tenants and a sign-up."""
    env.company.write(
        {"paas_product_name": "Woow Cloud", "paas_primary_color": "#5b3cc4",
         "paas_support_email": "support@woow.example.com",
         "paas_support_url": "https://help.woow.example.com"}
    )  # fmt: skip
    Plan = env["woow.paas.plan"]
    env["woow.paas.plan"].search([]).write({"is_public": False})
    users = env.ref("woow_paas_core.resource_users")
    storage = env.ref("woow_paas_core.resource_storage_mb")

    def plan(name, code, price, interval="month", trial=14, users_limit=3, storage_mb=2048, **kw):
        return Plan.create(
            {"name": name, "code": code, "price": price, "billing_interval": interval,
             "trial_days": trial,
             "quota_ids": [(0, 0, {"resource_id": users.id, "limit": users_limit}),
                           (0, 0, {"resource_id": storage.id, "limit": storage_mb})], **kw}
        )  # fmt: skip

    starter_y = plan("Shot Starter (yearly)", "shot-starter-y", 290, "year")
    growth_y = plan("Shot Growth (yearly)", "shot-growth-y", 990, "year", users_limit=15)
    plan(
        "Shot Starter",
        "shot-starter",
        29,
        portal_yearly_plan_id=starter_y.id,
        portal_features="Shared hosting\nDaily backups\nEmail support",
    )
    growth = plan("Shot Growth", "shot-growth", 99, users_limit=15, storage_mb=20480,
                  portal_yearly_plan_id=growth_y.id, portal_recommended=True,
                  portal_self_suspend=True,
                  portal_features="Everything in Starter\nREST API and webhooks\n"
                  "Suspend and resume your tenants")  # fmt: skip
    plan(
        "Shot Business",
        "shot-business",
        2990,
        "year",
        trial=30,
        users_limit=50,
        storage_mb=102400,
        portal_features="Up to 3 tenants\nPhone support",
    )
    partner = env["res.partner"].create(
        {"name": "Northwind Shots", "is_company": True, "email": "it@northwind.example.com"}
    )
    contact = env["res.partner"].create({"name": "Nora Shots", "parent_id": partner.id})
    user = env["res.users"].with_context(no_reset_password=True).create(
        {"name": "Nora Shots", "login": "nora-shots", "password": "nora-shots",
         "partner_id": contact.id, "group_ids": [(6, 0, [env.ref("base.group_portal").id])]}
    )  # fmt: skip
    subs = env["woow.paas.subscription"].create(
        [{"partner_id": partner.id, "plan_id": growth.id} for _i in range(3)]
    )
    subs.action_start_trial()
    tenants = env["woow.paas.tenant"].create(
        [{"name": name, "code": code, "partner_id": partner.id, "subscription_id": sub.id}
         for (name, code), sub in zip(
             [("Northwind ERP", "northwind-erp"), ("Northwind Staging", "northwind-staging"),
              ("Northwind Lab", "northwind-lab")], subs, strict=True)]
    )  # fmt: skip
    tenants.action_provision()
    signup, _created = env["woow.paas.signup"]._paas_claim(
        "screenshot-nonce-0001", user, growth, "Northwind Lab", "northwind-lab", False, "127.0.0.1"
    )
    signup.write({"subscription_id": subs[2].id, "tenant_id": tenants[2].id})
    return user, growth, subs[0], tenants[0], signup


def _shot(browser, url, path, width):
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                 deviceScaleFactor=1, mobile=width < 600)  # fmt: skip
    browser.call("Page.navigate", url=url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if browser.evaluate("document.readyState") == "complete":
                break
        except RuntimeError:
            pass
        time.sleep(0.2)
    time.sleep(1.0)  # interactions start, fonts load
    height = browser.evaluate("document.documentElement.scrollHeight")
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=min(int(height), 4000),
                 deviceScaleFactor=1, mobile=width < 600)  # fmt: skip
    shot = browser.call("Page.captureScreenshot", format="png")
    path.write_bytes(base64.b64decode(shot["data"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    executable = find_chromium()
    if not executable:
        sys.exit("No Chromium found: install Debian's chromium package.")

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = Registry(args.database)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            _user, plan, sub, tenant, signup = _data(env)
            with serve_transaction(env) as base:
                session = login_session(base, cr.dbname, "nora-shots", "nora-shots")
                pages = [
                    ("pricing", "/paas/plans", False),
                    ("signup-account", f"/paas/signup?plan={plan.code}", False),
                    ("signup-tenant", f"/paas/signup/tenant?plan={plan.code}", True),
                    ("signup-provisioning", f"/paas/signup/{signup.id}", True),
                    ("my-home", "/my", True),
                    ("my-tenants", "/my/tenants", True),
                    ("my-tenant", tenant.access_url, True),
                    ("my-subscription", sub.access_url, True),
                ]
                browser = Chromium(executable)
                try:
                    for name, path, signed_in in pages:
                        browser.call("Network.enable")
                        browser.call("Network.clearBrowserCookies")
                        if signed_in:
                            browser.call("Network.setCookie", name="session_id", value=session,
                                         url=base)  # fmt: skip
                        for label, width in WIDTHS.items():
                            target = out / f"{name}-{label}.png"
                            _shot(browser, f"{base}{path}", target, width)
                            print(target.relative_to(ROOT))
                finally:
                    browser.close()
        finally:
            cr.rollback()
    return 0


if __name__ == "__main__":
    sys.exit(main())
