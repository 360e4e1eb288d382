"""The tenant layer's part of the customer's tenant pages: the URL and an
Open button, the administrator's way in (the sign-in link made at
provisioning, and Sign in as administrator), usage against each quota with
the day it runs out, and the settings the customer may change; what a
shared tenant gives and where it is used; a usage column on /my/tenants."""

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.woow_paas_portal.controllers.portal import WoowPaasCustomerPortal

QUOTA = "woow.paas.tenant.quota"
CONFIG_KEY = "woow.paas.config.key"
TEXT_MAX = 1000


class WoowPaasTenantPortal(WoowPaasCustomerPortal):
    # ------------------------------------------------------------------
    # /my/tenants: the fullest quota of each tenant of the page
    # ------------------------------------------------------------------
    @http.route()
    def portal_my_paas_tenants(self, page=1, sortby=None, **kw):
        response = super().portal_my_paas_tenants(page=page, sortby=sortby, **kw)
        qcontext = getattr(response, "qcontext", None)
        if qcontext and qcontext.get("tenants"):
            qcontext["paas_quota_peaks"] = self._paas_quota_peaks(qcontext["tenants"])
        return response

    def _paas_quota_peaks(self, tenants):
        """``{tenant id: quota line}``: each tenant's limited quota line with
        the highest usage ratio, read for the whole page in one query."""
        lines = request.env[QUOTA].search(
            [("tenant_id", "in", tenants.ids), ("is_unlimited", "=", False)],
            order="usage_percent desc, id",
        )
        peaks = {}
        for line in lines:
            peaks.setdefault(line.tenant_id.id, line)
        return peaks

    # ------------------------------------------------------------------
    # Tenant page
    # ------------------------------------------------------------------
    def _paas_tenant_page_values(self, tenant, **kw):
        """Override of ``woow_paas_portal``: URL, quotas and settings."""
        values = super()._paas_tenant_page_values(tenant, **kw)
        # Read as the portal user: the bridge's record rules keep these to
        # the user's own customer.
        quotas = request.env[QUOTA].search([("tenant_id", "=", tenant.id)])
        values.update(
            paas_quotas=quotas,
            paas_runs_out=quotas._paas_runs_out(fields.Date.context_today(request.env.user)),
            paas_settings=self._paas_tenant_settings(tenant),
            paas_settings_editable=tenant.state not in ("archived", "failed"),
            paas_settings_errors=kw.get("paas_settings_errors") or {},
            paas_settings_input=kw.get("paas_settings_input"),
            paas_settings_saved=request.params.get("settings") == "saved",
        )
        owner = self._paas_is_tenant_customer(tenant)
        first_url, first_expires = tenant._paas_first_signin_link() if owner else (False, False)
        values.update(
            paas_can_signin=owner and tenant.sudo()._paas_can_mint_signin(),
            paas_admin_login=tenant.sudo().paas_admin_login if owner else False,
            paas_first_signin_url=first_url,
            paas_first_signin_expires=first_expires,
            paas_shared_access=(
                self._paas_shared_access(tenant)
                if tenant.paas_isolation != "database" and tenant.state != "archived"
                else None
            ),
        )
        return values

    def _paas_is_tenant_customer(self, tenant):
        """Whether the signed-in user is one of the tenant's customer's
        users: only they may have its administrator's sign-in link."""
        user = request.env.user
        return (
            not user._is_public()
            and tenant.commercial_partner_id == user.partner_id.commercial_partner_id
        )

    def _paas_shared_access(self, tenant):
        """What a shared tenant gives and where it is used: it has no Odoo
        of its own to open. The plan's features, the users allowed in it
        (they sign in to the platform), and the API where it is installed."""
        installed = request.env["ir.module.module"].sudo()._installed()
        return {
            "features": tenant.plan_id.sudo()._paas_portal_features(),
            "users": tenant.sudo().paas_user_ids.filtered("active").mapped("name"),
            "signin_url": "/web/login?redirect=/odoo",
            "api_docs_url": "/api/v1/docs" if "woow_paas_api" in installed else "",
            "api_keys_url": "/my/api" if "woow_paas_portal_api" in installed else "",
        }

    @http.route(
        "/my/tenants/<int:tenant_id>/signin", type="http", auth="user", website=True,
        methods=["POST"],
    )  # fmt: skip
    def portal_my_paas_tenant_signin(self, tenant_id, **kw):
        """Sign in as administrator: a fresh one-time link (five minutes)
        for the tenant's customer only, followed at once (a redirect).
        Another customer's tenant answers 404, as every page does; a user
        who may read the tenant but is not its customer (staff) gets 403."""
        tenant = self._paas_check_record("woow.paas.tenant", tenant_id)
        if tenant is None:
            return request.not_found()
        if not self._paas_is_tenant_customer(tenant):
            return request.make_response(
                request.env._("Only the tenant's customer may sign in as its administrator."),
                headers=[("Content-Type", "text/plain; charset=utf-8")],
                status=403,
            )
        retry_after = self._paas_signin_rate_limited()
        if retry_after:
            return self._paas_render_tenant(
                tenant,
                status=429,
                paas_error=request.env._(
                    "Too many sign-in links asked for: try again in %(minutes)s minute(s).",
                    minutes=max(1, round(retry_after / 60)),
                ),
            )
        try:
            # As the customer (the check above returned a superuser record),
            # so that the chatter and the event log say who asked.
            url = request.env["woow.paas.tenant"].browse(tenant.id).sudo()._paas_mint_signin_link()
        except UserError as exc:
            return self._paas_render_tenant(tenant, status=409, paas_error=str(exc))
        response = request.redirect(url, local=False)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def _paas_signin_rate_limited(self):
        """``None`` when the user may have another link, else the seconds
        to wait (each link opens a connection to the tenant database)."""
        allowed, retry_after = (
            request.env["woow.paas.portal.rate.limit"]
            .sudo()
            ._hit("tenant_signin", f"user-{request.env.uid}")
        )
        return None if allowed else retry_after

    def _paas_tenant_settings(self, tenant):
        """The settings the customer may change, with their effective values
        (the tenant's own, else the plan's, else the key's default)."""
        keys = request.env[CONFIG_KEY].search([("customer_editable", "=", True)])
        tenant_sudo = tenant.sudo()
        return [
            {"key": key, "value": tenant_sudo._paas_get_config(key.code),
             "options": key._paas_options() if key.value_type == "selection" else []}
            for key in keys
        ]  # fmt: skip

    @http.route("/my/tenants/<int:tenant_id>/settings", type="http", auth="user", website=True,
                methods=["POST"])  # fmt: skip
    def portal_my_paas_tenant_settings(self, tenant_id, **form):
        try:
            tenant = self._document_check_access("woow.paas.tenant", tenant_id)
        except (AccessError, MissingError):
            return request.not_found()
        settings = self._paas_tenant_settings(tenant)
        errors, changes = {}, {}
        if tenant.state in ("archived", "failed"):
            errors["form"] = request.env._("The settings of this tenant cannot change now.")
        for setting in [] if errors else settings:
            key = setting["key"]
            name = f"config_{key.code}"
            if key.value_type == "boolean":
                value = bool(form.get(name))
            else:
                raw = (form.get(name) or "").strip()
                if len(raw) > TEXT_MAX:
                    errors[key.code] = request.env._("At most %(size)s characters.", size=TEXT_MAX)
                    continue
                try:
                    # The tenant layer's own parsing and messages.
                    value = key._paas_parse(raw) if raw else None
                except ValidationError as exc:
                    errors[key.code] = exc.args[0]
                    continue
            if value is None and key.value_type != "text":
                # Emptied: back to the plan's or the key's default.
                changes[key.code] = None
            elif value != setting["value"]:
                changes[key.code] = value
        if errors:
            values = self._prepare_portal_layout_values()
            values.update(
                self._paas_tenant_page_values(
                    tenant, paas_settings_errors=errors, paas_settings_input=form
                )
            )
            return request.render("woow_paas_portal.portal_my_paas_tenant", values, status=422)
        tenant_sudo = tenant.sudo()
        for code, value in changes.items():
            # Through the tenant layer: database tenants receive the value.
            tenant_sudo._paas_set_config(code, value)
        return request.redirect(f"/my/tenants/{tenant.id}?settings=saved#paas_tenant_settings")
