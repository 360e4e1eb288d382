"""Plans: the plans on offer, with their prices and quotas."""

from odoo import http

from ..tools.framework import LIST_QUERY, PREFIX, api_route, check_read, page, plans_data
from . import schemas as S


class WoowPaasApiPlans(http.Controller):
    @api_route(f"{PREFIX}/plans", "GET", summary="List plans", scope="plans:read",
               response=S.PlanPage, query=LIST_QUERY, tags=("plans",))  # fmt: skip
    def list_plans(call):
        """Plans the credential may see: public ones and its own for a customer."""
        check_read(call, "woow.paas.plan")
        return page(call, call.env["woow.paas.plan"], [], plans_data)

    @api_route(f"{PREFIX}/plans/<int:plan_id>", "GET", summary="Read a plan",
               scope="plans:read", response=S.Plan, tags=("plans",))  # fmt: skip
    def get_plan(call, plan_id):
        check_read(call, "woow.paas.plan")
        return 200, plans_data(call.find("woow.paas.plan", plan_id))[0]
