from odoo import _, http
from odoo.exceptions import AccessError, MissingError
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
        Subscription = request.env["woow.paas.subscription"]
        sortings = self._paas_subscription_searchbar_sortings()
        sortby = sortby if sortby in sortings else "date"
        domain = self._paas_subscriptions_domain()
        pager = portal_pager(
            url="/my/subscriptions",
            url_args={"sortby": sortby},
            total=Subscription.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        subscriptions = Subscription.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "subscriptions": subscriptions,
                "page_name": "paas_subscriptions",
                "pager": pager,
                "default_url": "/my/subscriptions",
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render("woow_paas_portal.portal_my_paas_subscriptions", values)

    def _paas_subscription_page_values(self, subscription, **kw):
        """Values of the subscription page; bridges add theirs."""
        return {
            "subscription": subscription,
            "page_name": "paas_subscription",
        }

    @http.route("/my/subscriptions/<int:subscription_id>", type="http", auth="user", website=True)
    def portal_my_paas_subscription(self, subscription_id, access_token=None, **kw):
        try:
            subscription = self._document_check_access(
                "woow.paas.subscription", subscription_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(self._paas_subscription_page_values(subscription, **kw))
        return request.render("woow_paas_portal.portal_my_paas_subscription", values)

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
        Tenant = request.env["woow.paas.tenant"]
        sortings = self._paas_tenant_searchbar_sortings()
        sortby = sortby if sortby in sortings else "name"
        domain = self._paas_tenants_domain()
        pager = portal_pager(
            url="/my/tenants",
            url_args={"sortby": sortby},
            total=Tenant.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        tenants = Tenant.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tenants": tenants,
                "page_name": "paas_tenants",
                "pager": pager,
                "default_url": "/my/tenants",
                "searchbar_sortings": sortings,
                "sortby": sortby,
            }
        )
        return request.render("woow_paas_portal.portal_my_paas_tenants", values)

    def _paas_tenant_page_values(self, tenant, **kw):
        """Values of the tenant page; bridges add theirs."""
        return {
            "tenant": tenant,
            "page_name": "paas_tenant",
        }

    @http.route("/my/tenants/<int:tenant_id>", type="http", auth="user", website=True)
    def portal_my_paas_tenant(self, tenant_id, access_token=None, **kw):
        try:
            tenant = self._document_check_access(
                "woow.paas.tenant", tenant_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(self._paas_tenant_page_values(tenant, **kw))
        return request.render("woow_paas_portal.portal_my_paas_tenant", values)
