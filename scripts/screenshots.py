"""Save screenshots of the customer's pages and of the operator's main
screens at phone (390 px) and desktop (1440 px) widths, in headless
Chromium, into docs/screenshots/.

The pages are served from a transaction that is rolled back (as the
benchmarks do, bench/chromium.py), so the database is left as it was; the
data is made here, so a database without demo data will do:

    .venv/bin/python scripts/screenshots.py --config .work/odoo-test.conf --database woow_paas_test

``--only pricing,my-`` takes the pages whose names start so. The script
prints each file and what the page logged as errors (console errors,
uncaught exceptions, failed requests' status), and palettes the PNGs
(Pillow) to keep the repository small.
"""

import argparse
import base64
import io
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from chromium import Chromium, find_chromium, login_session, serve_transaction

WIDTHS = {"phone": 390, "desktop": 1440}
MAX_HEIGHT = 3200  # px: a longer page is cut (its top is what the reader looks at)

# Installed in every document before its own scripts: what the page
# reports as errors, read after it loaded.
ERRORS_SCRIPT = """
(() => {
    window.__shotErrors = [];
    const push = (text) => window.__shotErrors.push(String(text).slice(0, 300));
    const error = console.error.bind(console);
    console.error = (...args) => { push(args.join(" ")); error(...args); };
    window.addEventListener("error", (ev) => push(ev.message || ev.type));
    window.addEventListener(
        "unhandledrejection", (ev) => push((ev.reason && ev.reason.message) || ev.reason)
    );
})();
"""


def _data(env):
    """Plans of a pricing page, a customer with subscriptions, tenants
    (shared and database), invoices, usage, API keys and webhooks, a
    sign-up, and an operator."""
    from freezegun import freeze_time

    from odoo import fields

    env.company.write(
        {"paas_product_name": "Woow Cloud", "paas_primary_color": "#0f766e",
         "paas_support_email": "support@woow.example.com",
         "paas_support_url": "https://help.woow.example.com"}
    )  # fmt: skip
    if env.company.name in ("YourCompany", "My Company"):
        env.company.name = "Woow Cloud Ltd"
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
    starter = plan(
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
    business = plan(
        "Shot Business",
        "shot-business",
        2990,
        "year",
        trial=30,
        users_limit=50,
        storage_mb=102400,
        portal_features="Own database\nUp to 3 tenants\nPhone support",
        paas_isolation="database",
    )
    metric = env["woow.paas.metric"].create(
        {"name": "API Calls", "code": "shot_api_calls", "unit": "calls", "digits": 0}
    )
    env["woow.paas.plan.metric"].create(
        {"plan_id": growth.id, "metric_id": metric.id, "unit_price": 0.002}
    )
    partner = env["res.partner"].create(
        {"name": "Northwind Shots", "is_company": True, "email": "it@northwind.example.com",
         "street": "12 Harbour Road", "city": "Bristol", "zip": "BS1 4DJ",
         "country_id": env.ref("base.uk").id}
    )  # fmt: skip
    contact = env["res.partner"].create(
        {"name": "Nora Shots", "parent_id": partner.id, "email": "nora@northwind.example.com"}
    )
    user = env["res.users"].with_context(no_reset_password=True).create(
        {"name": "Nora Shots", "login": "nora-shots", "password": "nora-shots",
         "partner_id": contact.id, "group_ids": [(6, 0, [env.ref("base.group_portal").id])]}
    )  # fmt: skip
    operator = env["res.users"].with_context(no_reset_password=True).create(
        {"name": "Olivia Operator", "login": "olivia-shots", "password": "olivia-shots",
         "email": "olivia@woow.example.com",
         "group_ids": [(6, 0, [env.ref("base.group_user").id,
                               env.ref("woow_paas_core.group_paas_manager").id,
                               env.ref("account.group_account_manager").id])]}
    )  # fmt: skip
    # The paying subscription: its period started 18 days ago, invoiced, used.
    started = fields.Date.today() - timedelta(days=18)
    with freeze_time(started):
        paying = env["woow.paas.subscription"].create(
            {"partner_id": partner.id, "plan_id": growth.id, "user_id": operator.id}
        )
        paying.action_activate()
    subs = env["woow.paas.subscription"].create(
        [{"partner_id": partner.id, "plan_id": growth.id, "user_id": operator.id}
         for _i in range(2)]
    )  # fmt: skip
    subs.action_start_trial()
    dedicated = env["woow.paas.subscription"].create(
        {"partner_id": partner.id, "plan_id": business.id, "user_id": operator.id}
    )
    dedicated.action_start_trial()
    tenants = env["woow.paas.tenant"].create(
        [{"name": name, "code": code, "partner_id": partner.id, "subscription_id": sub.id}
         for (name, code), sub in zip(
             [("Northwind ERP", "northwind-erp"), ("Northwind Staging", "northwind-staging"),
              ("Northwind Lab", "northwind-lab")], paying | subs, strict=True)]
    )  # fmt: skip
    tenants.action_provision()
    database = env["woow.paas.tenant"].create(
        {"name": "Northwind Finance", "code": "northwind-finance", "partner_id": partner.id,
         "subscription_id": dedicated.id}
    )  # fmt: skip
    # What a provisioning leaves (no database is made here).
    database.write(
        {"state": "active", "paas_db_name": "woow_northwind_finance",
         "paas_admin_login": "nora@northwind.example.com"}
    )  # fmt: skip
    # The production tenant near its limits (the quota list shows those).
    for quota in tenants[0].quota_ids:
        quota.usage = {"users": 13, "storage_mb": 17300}.get(quota.resource_id.code, 0)
    now = fields.Datetime.now()
    env["woow.paas.usage.event"].ingest(
        [{"tenant": "northwind-erp", "metric": metric.code,
          "quantity": 400 + (day * 137) % 900 + hour * 25,
          "timestamp": (now - timedelta(days=day, hours=hour)).isoformat(),
          "idempotency_key": f"shot-{day}-{hour}"}
         for day in range(17) for hour in range(3)]
    )  # fmt: skip
    signup, _created = env["woow.paas.signup"]._paas_claim(
        "screenshot-nonce-0001", user, growth, "Northwind Lab", "northwind-lab", False, "127.0.0.1"
    )
    signup.write({"subscription_id": subs[1].id, "tenant_id": tenants[2].id})
    key = env["woow.paas.api.key"].create(
        {"name": "CI deploys", "user_id": user.id, "scopes": "tenants:read tenants:write"}
    )
    key.action_generate()
    env["woow.paas.oauth.client"].create({"name": "Northwind reporting", "user_id": user.id})
    endpoint = env["woow.paas.webhook.endpoint"].create(
        {"url": "https://93.184.215.14/hooks/woow", "user_id": user.id,
         "description": "Northwind ERP sync"}
    )  # fmt: skip
    env["woow.paas.webhook.delivery"].create(
        [{"endpoint_id": endpoint.id, "webhook_id": f"msg_shot_{n}", "state": state,
          "attempts": attempts, "last_status_code": code}
         for n, (state, attempts, code) in enumerate(
             [("delivered", 1, 200), ("failed", 8, 500), ("delivered", 2, 204)])]
    )  # fmt: skip
    invoice = env["account.move"].search(
        [("paas_subscription_id", "=", paying.id), ("move_type", "=", "out_invoice")], limit=1
    )
    return {
        "user": user, "operator": operator, "plan": growth, "starter": starter,
        "sub": paying, "trial": subs[0], "tenant": tenants[0], "database": database,
        "signup": signup, "endpoint": endpoint, "invoice": invoice, "metric": metric,
    }  # fmt: skip


def _pages(env, d):
    """(name, path or callable, who, action) of every screenshot.

    ``who`` is "public", "customer" or "operator" (a new browser session of
    them) or "same" (the previous page's session); ``action`` is a script
    run on the page before the shot whose navigation is awaited, e.g. a
    form sent."""
    sub, tenant = d["sub"], d["tenant"]
    signup_email = "ada@fabrikam.example.com"

    def password_path():
        env.invalidate_all()
        partner = env["res.partner"].search([("email", "=", signup_email)], limit=1)
        url = partner._get_signup_url_for_action(url=f"/paas/signup/tenant?plan={d['plan'].code}")[
            partner.id
        ]
        parts = urlsplit(url)
        return f"{parts.path}?{parts.query}"

    fill_signup = f"""
        document.querySelector('[name=name]').value = 'Ada Fabrikam';
        document.querySelector('[name=email]').value = '{signup_email}';
        document.querySelector('.o_paas_submit').click();
    """
    fill_key = """
        document.querySelector('[name=name]').value = 'Nightly backup';
        document.querySelector('[name=scopes]').checked = true;
        document.querySelector('.o_paas_api_key_create').click();
    """
    sub_action = env.ref("woow_paas_core.woow_paas_subscription_action").id
    tenant_action = env.ref("woow_paas_core.woow_paas_tenant_action").id
    plan_action = env.ref("woow_paas_core.woow_paas_plan_action").id
    quota_action = env.ref("woow_paas_tenant.woow_paas_tenant_quota_action").id
    dashboard = env.ref("woow_paas_dashboard.woow_paas_dashboard_action").id
    # On a phone the smart buttons wait in a drop-down.
    open_invoices = """
        const button = () => document.querySelector('button[name=action_view_invoices]');
        if (button()) {
            button().click();
        } else {
            document.querySelector('.o-form-buttonbox .o_button_more, .o-form-buttonbox '
                + '.dropdown-toggle').click();
            setTimeout(() => button().click(), 800);
        }
    """
    return [
        # Public: pricing and sign-up.
        ("pricing", "/paas/plans", "public", None),
        ("signup-account", f"/paas/signup?plan={d['plan'].code}", "public", None),
        ("signup-check-email", f"/paas/signup?plan={d['plan'].code}", "public", fill_signup),
        ("demo-mailbox", "/paas/demo/mailbox", "same", None),
        ("signup-password", password_path, "public", None),
        ("signup-tenant", f"/paas/signup/tenant?plan={d['plan'].code}", "customer", None),
        ("signup-provisioning", f"/paas/signup/{d['signup'].id}", "customer", None),
        # The customer's account.
        ("my-home", "/my", "customer", None),
        ("my-subscriptions", "/my/subscriptions", "customer", None),
        ("my-subscription", sub.access_url, "customer", None),
        ("my-subscription-trial", d["trial"].access_url, "customer", None),
        ("my-tenants", "/my/tenants", "customer", None),
        ("my-tenant", tenant.access_url, "customer", None),
        ("my-tenant-database", d["database"].access_url, "customer", None),
        ("my-usage", "/my/usage", "customer", None),
        ("my-invoices", "/my/invoices", "customer", None),
        ("my-invoice", d["invoice"].get_portal_url() if d["invoice"] else "/my/invoices",
         "customer", None),
        ("my-payment-methods", "/my/payment_method", "customer", None),
        ("my-api", "/my/api", "customer", None),
        ("my-api-key-new", "/my/api/keys/new", "customer", None),
        ("my-api-key-secret", "/my/api/keys/new", "customer", fill_key),
        ("my-api-oauth-new", "/my/api/oauth/new", "customer", None),
        ("my-api-webhook-new", "/my/api/webhooks/new", "customer", None),
        ("my-api-webhook", f"/my/api/webhooks/{d['endpoint'].id}", "customer", None),
        ("api-docs", "/api/v1/docs", "public", None),
        # The operator's screens.
        ("backend-dashboard", f"/odoo/action-{dashboard}", "operator", None),
        ("backend-subscription", f"/odoo/action-{sub_action}/{sub.id}", "operator", None),
        ("backend-subscription-invoices", f"/odoo/action-{sub_action}/{sub.id}", "operator",
         open_invoices),
        ("backend-tenant", f"/odoo/action-{tenant_action}/{tenant.id}", "operator", None),
        ("backend-tenant-database", f"/odoo/action-{tenant_action}/{d['database'].id}",
         "operator", None),
        ("backend-plan", f"/odoo/action-{plan_action}/{d['plan'].id}", "operator", None),
        ("backend-quota-usage", f"/odoo/action-{quota_action}", "operator", None),
    ]  # fmt: skip


def _wait_loaded(browser, backend, timeout=60):
    deadline = time.monotonic() + timeout
    ready = (
        "document.readyState === 'complete' && !!document.querySelector("
        "'.o_action_manager .o_view_controller, .o_action_manager .o_action')"
        if backend
        else "document.readyState === 'complete'"
    )
    while time.monotonic() < deadline:
        try:
            if browser.evaluate(ready):
                break
        except RuntimeError:
            pass
        time.sleep(0.2)
    time.sleep(2.0 if backend else 1.0)  # interactions start, fonts load, charts draw


def _act(browser, script, backend):
    """Run ``script`` (which sends a form or opens something) and wait for
    what it brings."""
    browser.evaluate("window.__shotBefore = true")
    browser.evaluate(script)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.3)
        try:
            if backend or browser.evaluate("window.__shotBefore === undefined"):
                break
        except RuntimeError:
            pass
    _wait_loaded(browser, backend)


def _height(browser, backend):
    """The page's full height (the web client scrolls inside its content)."""
    script = (
        "(() => { const c = document.querySelector('.o_action_manager .o_content');"
        " return c ? Math.ceil(c.getBoundingClientRect().top + c.scrollHeight)"
        " : document.documentElement.scrollHeight; })()"
        if backend
        else "document.documentElement.scrollHeight"
    )
    return int(browser.evaluate(script) or 900)


def _metrics(browser, width, height):
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                 deviceScaleFactor=1, mobile=width < 600)  # fmt: skip


def _save(png, path):
    """Write the PNG with a palette of 256 colours (screens have few), else as it is."""
    try:
        from PIL import Image
    except ImportError:
        path.write_bytes(png)
        return
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def _shot(browser, base, page, path, width):
    name, url, _who, action = page
    backend = name.startswith("backend-")
    _metrics(browser, width, 900)
    browser.call("Page.navigate", url=f"{base}{url}")
    _wait_loaded(browser, backend)
    if action:
        _act(browser, action, backend)
    status = browser.evaluate(
        "(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0"
    )
    height = min(max(_height(browser, backend), 600), MAX_HEIGHT)
    _metrics(browser, width, height)
    time.sleep(0.5 if not backend else 1.0)  # the web client lays out its new height
    # What loads late (a chatter) makes the page longer: measure again.
    again = min(max(_height(browser, backend), 600), MAX_HEIGHT)
    if again > height:
        _metrics(browser, width, again)
        time.sleep(0.5)
    shot = browser.call("Page.captureScreenshot", format="png")
    _save(base64.b64decode(shot["data"]), path)
    errors = browser.evaluate("window.__shotErrors || []") or []
    return status, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", default="", help="comma-separated prefixes of page names")
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
    only = [prefix for prefix in args.only.split(",") if prefix]
    report = []
    Signup = registry["woow.paas.signup"]
    with registry.cursor() as cr, patch.object(Signup, "_paas_demo_mode", lambda self: True):
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            data = _data(env)
            with serve_transaction(env) as base:
                sessions = {
                    "customer": login_session(base, cr.dbname, "nora-shots", "nora-shots"),
                    "operator": login_session(base, cr.dbname, "olivia-shots", "olivia-shots"),
                }
                browser = Chromium(executable)
                try:
                    browser.call("Page.enable")
                    browser.call("Network.enable")
                    browser.call("Page.addScriptToEvaluateOnNewDocument", source=ERRORS_SCRIPT)
                    for page in _pages(env, data):
                        name, url, who, _action = page
                        if only and not any(name.startswith(prefix) for prefix in only):
                            continue
                        if who != "same":
                            browser.call("Network.clearBrowserCookies")
                        if who in sessions:
                            browser.call("Network.setCookie", name="session_id",
                                         value=sessions[who], url=base)  # fmt: skip
                        if callable(url):
                            url = url()
                        for label, width in WIDTHS.items():
                            target = out / f"{name}-{label}.png"
                            status, errors = _shot(
                                browser, base, (name, url, who, _action), target, width
                            )
                            report.append({"file": target.name, "url": url, "status": status,
                                           "errors": errors})  # fmt: skip
                            print(target, status, *errors, sep="\n  " if errors else " ")
                finally:
                    browser.close()
        finally:
            cr.rollback()
    print(json.dumps([r for r in report if r["errors"] or r["status"] != 200], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
