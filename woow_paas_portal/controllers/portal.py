from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class WoowPaasCustomerPortal(CustomerPortal):
    """The customer's PaaS pages under /my.

    Lists read through the portal user's own access (core's record rules keep
    them to the user's commercial partner); a detail page of a record the user
    may not read answers 404, whether it exists or not, so that ids cannot be
    probed. Bridge addons add their sections through the ``values`` hooks and
    the templates' named anchors.
    """

    # ------------------------------------------------------------------
    # Home counters
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "paas_subscription_count" in counters:
            Subscription = request.env["woow.paas.subscription"]
            values["paas_subscription_count"] = (
                Subscription.search_count(self._paas_subscriptions_domain())
                if Subscription.has_access("read")
                else 0
            )
        if "paas_tenant_count" in counters:
            Tenant = request.env["woow.paas.tenant"]
            values["paas_tenant_count"] = (
                Tenant.search_count(self._paas_tenants_domain()) if Tenant.has_access("read") else 0
            )
        return values

    def _paas_customer(self):
        return request.env.user.partner_id.commercial_partner_id

    def _paas_subscriptions_domain(self):
        return [("commercial_partner_id", "=", self._paas_customer().id)]

    def _paas_tenants_domain(self):
        return [("commercial_partner_id", "=", self._paas_customer().id)]

    def _paas_list_page(self, model, domain, sortings, default_sort, page, sortby, url, key):
        """A paged, sortable /my list of ``model`` (``key``: the records'
        name in the template ``portal_my_paas_<key>``, page ``paas_<key>``)."""
        Model = request.env[model]
        sortby = sortby if sortby in sortings else default_sort
        pager = portal_pager(
            url=url,
            url_args={"sortby": sortby},
            total=Model.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        records = Model.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                key: records,
                "page_name": f"paas_{key}",
                "pager": pager,
                "default_url": url,
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render(f"woow_paas_portal.portal_my_paas_{key}", values)

    # ------------------------------------------------------------------
    # Subscriptions
    # ------------------------------------------------------------------

    def _paas_subscription_searchbar_sortings(self):
        return {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": _("Reference"), "order": "name"},
            "state": {"label": _("Status"), "order": "state, id desc"},
        }

    @http.route(
        ["/my/subscriptions", "/my/subscriptions/page/<int:page>"],
        type="http", auth="user", website=True, readonly=True,
    )  # fmt: skip
    def portal_my_paas_subscriptions(self, page=1, sortby=None, **kw):
        return self._paas_list_page(
            "woow.paas.subscription", self._paas_subscriptions_domain(),
            self._paas_subscription_searchbar_sortings(), "date", page, sortby,
            url="/my/subscriptions", key="subscriptions",
        )  # fmt: skip

    def _paas_subscription_page_values(self, subscription, **kw):
        """Values of the subscription page; bridges add theirs.

        ``paas_error`` (a sentence shown beside the forms) comes from a
        refused POST; ``paas_message`` (a known key) after a redirect."""
        return {
            "subscription": subscription,
            "page_name": "paas_subscription",
            "paas_error": kw.get("paas_error"),
            "paas_message": self._paas_flash_message(kw.get("paas_message")),
            "paas_can_cancel": subscription._paas_portal_can_cancel(),
            "paas_can_reactivate": subscription._paas_portal_can_reactivate(),
        }

    def _paas_flash_messages(self):
        """Sentences a redirect after a POST may show, by key (a key, not the
        text, travels in the URL so that no one can put words on the page)."""
        return {
            "cancelled": _("Your subscription is cancelled."),
            "reactivated": _("Your subscription is active again."),
            "suspended": _("Your tenant is suspended."),
            "resumed": _("Your tenant is running again."),
        }

    def _paas_flash_message(self, key):
        return self._paas_flash_messages().get(key) if isinstance(key, str) else None

    def _paas_render_subscription(self, subscription, status=200, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._paas_subscription_page_values(subscription, **kw))
        response = request.render("woow_paas_portal.portal_my_paas_subscription", values)
        response.status_code = status
        return response

    def _paas_check_record(self, model, record_id, access_token=None):
        """The record the user may read, or ``None`` (answered as 404)."""
        try:
            return self._document_check_access(model, record_id, access_token=access_token)
        except (AccessError, MissingError):
            return None

    @http.route("/my/subscriptions/<int:subscription_id>", type="http", auth="user", website=True)
    def portal_my_paas_subscription(self, subscription_id, access_token=None, **kw):
        subscription = self._paas_check_record(
            "woow.paas.subscription", subscription_id, access_token
        )
        if subscription is None:
            return request.not_found()
        kw.pop("paas_error", None)
        return self._paas_render_subscription(subscription, **kw)

    @http.route(
        "/my/subscriptions/<int:subscription_id>/cancel", type="http", auth="user",
        website=True, methods=["POST"],
    )  # fmt: skip
    def portal_my_paas_subscription_cancel(self, subscription_id, reason=None, confirm=None, **kw):
        """Cancel now, with the customer's reason, once confirmed."""
        subscription = self._paas_check_record("woow.paas.subscription", subscription_id)
        if subscription is None:
            return request.not_found()
        reason = (reason or "").strip()
        error = None
        if not confirm:
            error = _("Tick the box to confirm the cancellation.")
        elif len(reason) > 1000:
            error = _("The reason is too long (at most 1000 characters).")
        elif not subscription._paas_portal_can_cancel():
            error = _("This subscription cannot be cancelled now.")
        if not error:
            try:
                with request.env.cr.savepoint():
                    subscription._paas_portal_cancel(reason or _("Cancelled by the customer."))
            except UserError as exc:
                error = str(exc)
        if error:
            return self._paas_render_subscription(subscription, status=400, paas_error=error)
        return request.redirect(f"{subscription.access_url}?paas_message=cancelled")

    @http.route(
        "/my/subscriptions/<int:subscription_id>/reactivate", type="http", auth="user",
        website=True, methods=["POST"],
    )  # fmt: skip
    def portal_my_paas_subscription_reactivate(self, subscription_id, **kw):
        subscription = self._paas_check_record("woow.paas.subscription", subscription_id)
        if subscription is None:
            return request.not_found()
        error = None
        if not subscription._paas_portal_can_reactivate():
            error = _("This subscription cannot be reactivated from the portal.")
        else:
            try:
                with request.env.cr.savepoint():
                    subscription._paas_portal_reactivate()
            except UserError as exc:
                error = str(exc)
        if error:
            return self._paas_render_subscription(subscription, status=400, paas_error=error)
        return request.redirect(f"{subscription.access_url}?paas_message=reactivated")

    # ------------------------------------------------------------------
    # Tenants
    # ------------------------------------------------------------------

    def _paas_tenant_searchbar_sortings(self):
        return {
            "name": {"label": _("Name"), "order": "name, id"},
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "state": {"label": _("Status"), "order": "state, name"},
        }

    @http.route(
        ["/my/tenants", "/my/tenants/page/<int:page>"],
        type="http", auth="user", website=True, readonly=True,
    )  # fmt: skip
    def portal_my_paas_tenants(self, page=1, sortby=None, **kw):
        return self._paas_list_page(
            "woow.paas.tenant", self._paas_tenants_domain(),
            self._paas_tenant_searchbar_sortings(), "name", page, sortby,
            url="/my/tenants", key="tenants",
        )  # fmt: skip

    def _paas_tenant_page_values(self, tenant, **kw):
        """Values of the tenant page; bridges add theirs (see
        :meth:`_paas_subscription_page_values` for the messages)."""
        return {
            "tenant": tenant,
            "page_name": "paas_tenant",
            "paas_error": kw.get("paas_error"),
            "paas_message": self._paas_flash_message(kw.get("paas_message")),
            "paas_can_suspend": tenant._paas_portal_can_suspend(),
            "paas_can_resume": tenant._paas_portal_can_resume(),
            "paas_open_url": self._paas_tenant_open_url(tenant),
        }

    def _paas_tenant_open_url(self, tenant):
        """The tenant page's Open button: only where the tenant lives
        elsewhere than on this very page."""
        url = tenant._paas_portal_open_url() if tenant.state in ("active", "suspended") else ""
        return url if url and url != tenant.access_url else ""

    def _paas_render_tenant(self, tenant, status=200, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._paas_tenant_page_values(tenant, **kw))
        response = request.render("woow_paas_portal.portal_my_paas_tenant", values)
        response.status_code = status
        return response

    @http.route("/my/tenants/<int:tenant_id>", type="http", auth="user", website=True)
    def portal_my_paas_tenant(self, tenant_id, access_token=None, **kw):
        tenant = self._paas_check_record("woow.paas.tenant", tenant_id, access_token)
        if tenant is None:
            return request.not_found()
        kw.pop("paas_error", None)
        return self._paas_render_tenant(tenant, **kw)

    @http.route(
        ["/my/tenants/<int:tenant_id>/suspend", "/my/tenants/<int:tenant_id>/resume"],
        type="http", auth="user", website=True, methods=["POST"],
    )  # fmt: skip
    def portal_my_paas_tenant_toggle(self, tenant_id, **kw):
        """Suspend or resume, where the plan lets the customer do it."""
        tenant = self._paas_check_record("woow.paas.tenant", tenant_id)
        if tenant is None:
            return request.not_found()
        suspend = request.httprequest.path.endswith("/suspend")
        try:
            with request.env.cr.savepoint():
                if suspend:
                    tenant._paas_portal_suspend()
                else:
                    tenant._paas_portal_resume()
        except UserError as exc:
            return self._paas_render_tenant(tenant, status=400, paas_error=str(exc))
        message = "suspended" if suspend else "resumed"
        return request.redirect(f"{tenant.access_url}?paas_message={message}")
