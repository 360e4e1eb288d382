"""Tenants: list, read, create and provision, suspend, resume."""

from odoo import http

from ..tools.framework import (
    LIST_QUERY,
    PREFIX,
    SINCE_QUERY,
    api_route,
    check_read,
    page,
    tenants_data,
)
from . import schemas as S


class WoowPaasApiTenants(http.Controller):
    @api_route(f"{PREFIX}/tenants", "GET", summary="List tenants", scope="tenants:read",
               response=S.TenantPage,
               query={**LIST_QUERY, **SINCE_QUERY,
                      "state": ("string", "Only this state."),
                      "plan": ("string", "Only this plan code."),
                      "customer_id": ("integer", "Only this customer (operators)."),
                      "subscription_id": ("integer", "Only this subscription.")},
               tags=("tenants",))  # fmt: skip
    def list_tenants(call):
        check_read(call, "woow.paas.tenant")
        domain = []
        for name, field in (("state", "state"), ("plan", "plan_id.code"),
                            ("customer_id", "commercial_partner_id"),
                            ("subscription_id", "subscription_id")):  # fmt: skip
            if name in call.query:
                domain.append((field, "=", call.query[name]))
        return page(call, call.env["woow.paas.tenant"], domain, tenants_data)

    @api_route(f"{PREFIX}/tenants/<int:tenant_id>", "GET", summary="Read a tenant",
               scope="tenants:read", response=S.Tenant, tags=("tenants",))  # fmt: skip
    def get_tenant(call, tenant_id):
        check_read(call, "woow.paas.tenant")
        return 200, tenants_data(call.find("woow.paas.tenant", tenant_id))[0]

    @api_route(f"{PREFIX}/tenants", "POST", summary="Create a tenant (and provision it)",
               scope="tenants:write", body=S.TenantCreate, response=S.Tenant, status=201,
               tags=("tenants",))  # fmt: skip
    def create_tenant(call):
        call.check_unbound("create tenants")
        body = call.body
        sub = call.find("woow.paas.subscription", body.subscription_id)
        env = call.env(su=True) if call.is_customer else call.env
        tenant = env["woow.paas.tenant"].create(
            {"name": body.name, "code": body.code, "partner_id": sub.partner_id.id,
             "subscription_id": sub.id}
        )  # fmt: skip
        if body.provision:
            tenant.action_provision()
        return 201, tenants_data(tenant.with_env(call.env))[0]

    @api_route(f"{PREFIX}/tenants/<int:tenant_id>/suspend", "POST", summary="Suspend a tenant",
               scope="tenants:write", body=S.Suspend, response=S.Tenant,
               tags=("tenants",))  # fmt: skip
    def suspend_tenant(call, tenant_id):
        """A customer suspends an active tenant where its plan allows
        self-suspension (else 403); only such a suspension may the customer
        resume."""
        tenant = call.find("woow.paas.tenant", tenant_id)
        if call.is_customer:
            tenant._paas_customer_suspend(reason=call.body.reason)
        else:
            tenant.action_suspend(reason=call.body.reason)
        return 200, tenants_data(tenant)[0]

    @api_route(f"{PREFIX}/tenants/<int:tenant_id>/resume", "POST", summary="Resume a tenant",
               scope="tenants:write", body=S.Strict, response=S.Tenant,
               tags=("tenants",))  # fmt: skip
    def resume_tenant(call, tenant_id):
        """A customer resumes only a tenant it suspended itself (403 for a
        suspension by the platform: an operator, dunning or the subscription)."""
        tenant = call.find("woow.paas.tenant", tenant_id)
        if call.is_customer:
            tenant._paas_customer_resume()
        else:
            tenant.action_activate()
        return 200, tenants_data(tenant)[0]
