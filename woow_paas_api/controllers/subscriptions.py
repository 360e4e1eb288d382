"""Subscriptions: list, read, create, change plan, cancel."""

from odoo import http

from ..tools.framework import (
    LIST_QUERY,
    PREFIX,
    SINCE_QUERY,
    ApiError,
    api_route,
    check_read,
    customer_act,
    page,
    subscriptions_data,
)
from . import schemas as S


class WoowPaasApiSubscriptions(http.Controller):
    @api_route(f"{PREFIX}/subscriptions", "GET", summary="List subscriptions",
               scope="subscriptions:read", response=S.SubscriptionPage,
               query={**LIST_QUERY, **SINCE_QUERY,
                      "state": ("string", "Only this state (draft, trial, active, ...)."),
                      "plan": ("string", "Only this plan code."),
                      "customer_id": ("integer", "Only this customer (operators).")},
               tags=("subscriptions",))  # fmt: skip
    def list_subscriptions(call):
        check_read(call, "woow.paas.subscription")
        domain = []
        if "state" in call.query:
            domain.append(("state", "=", call.query["state"]))
        if "plan" in call.query:
            domain.append(("plan_id.code", "=", call.query["plan"]))
        if "customer_id" in call.query:
            domain.append(("commercial_partner_id", "=", call.query["customer_id"]))
        Sub = call.env["woow.paas.subscription"]
        return page(call, Sub, domain, subscriptions_data)

    @api_route(f"{PREFIX}/subscriptions/<int:sub_id>", "GET", summary="Read a subscription",
               scope="subscriptions:read", response=S.Subscription,
               tags=("subscriptions",))  # fmt: skip
    def get_subscription(call, sub_id):
        check_read(call, "woow.paas.subscription")
        return 200, subscriptions_data(call.find("woow.paas.subscription", sub_id))[0]

    @api_route(f"{PREFIX}/subscriptions", "POST", summary="Create a subscription",
               scope="subscriptions:write", body=S.SubscriptionCreate,
               response=S.Subscription, status=201, tags=("subscriptions",))  # fmt: skip
    def create_subscription(call):
        """Subscribe a customer to a plan and start it (trial by default).
        A customer credential subscribes its own customer to a public plan;
        a paid plan starts active only when the customer has a saved payment
        method, else as the plan's free trial (one per customer and plan),
        else the answer is 409 with the reason."""
        call.check_unbound("create subscriptions")
        body = call.body
        plan = call.env["woow.paas.plan"].search([("code", "=", body.plan)], limit=1)
        if not plan:
            raise ApiError(422, f"No plan {body.plan}.", [{"name": "plan", "reason": "unknown"}])
        if call.is_customer:
            if body.customer_id not in (None, call.partner.id):
                raise ApiError(403, "A customer credential subscribes its own customer only.")
            env, partner = call.env(su=True), call.partner
            if not plan.is_public:
                raise ApiError(422, f"Plan {plan.code} is not offered.")
        else:
            if not body.customer_id:
                raise ApiError(422, "customer_id is required.",
                               [{"name": "customer_id", "reason": "missing"}])  # fmt: skip
            env = call.env
            partner = env["res.partner"].search([("id", "=", body.customer_id)], limit=1)
            if not partner:
                raise ApiError(422, f"No customer {body.customer_id}.")
        sub = env["woow.paas.subscription"].create({"partner_id": partner.id, "plan_id": plan.id})
        # A customer starts a paid plan only with a payment method, and one
        # trial per plan: the model decides (409 with the reason otherwise).
        sub._paas_start(body.start)
        return 201, subscriptions_data(sub.with_env(call.env))[0]

    @api_route(f"{PREFIX}/subscriptions/<int:sub_id>/change-plan", "POST",
               summary="Change a subscription's plan", scope="subscriptions:write",
               body=S.PlanChange, response=S.Subscription, tags=("subscriptions",))  # fmt: skip
    def change_plan(call, sub_id):
        sub = call.find("woow.paas.subscription", sub_id)
        call.check_unbound("change the plan of its subscription")
        plan = call.env["woow.paas.plan"].search([("code", "=", call.body.plan)], limit=1)
        if not plan or (call.is_customer and not plan.is_public):
            raise ApiError(422, f"No plan {call.body.plan} is offered.")
        customer_act(call, sub).action_change_plan(plan.id)
        return 200, subscriptions_data(sub)[0]

    @api_route(f"{PREFIX}/subscriptions/<int:sub_id>/cancel", "POST",
               summary="Cancel a subscription", scope="subscriptions:write", body=S.Cancel,
               response=S.Subscription, tags=("subscriptions",))  # fmt: skip
    def cancel_subscription(call, sub_id):
        sub = call.find("woow.paas.subscription", sub_id)
        call.check_unbound("cancel its subscription")
        customer_act(call, sub).action_cancel(reason=call.body.reason)
        return 200, subscriptions_data(sub)[0]
