import { animationFrame } from "@odoo/hoot-mock";
import { defineModels, fields, getService, models, mountWebClient, onRpc } from "@web/../tests/web_test_helpers";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";

/** The dashboard's data as the server sends it, for the tests of the
 * dashboard and of the addons that extend it. */

class WoowPaasSubscription extends models.Model {
    _name = "woow.paas.subscription";
    name = fields.Char();
    _records = [
        { id: 1, name: "SUB/0001" },
        { id: 2, name: "SUB/0002" },
        { id: 3, name: "SUB/0003" },
    ];
    _views = {
        list: `<list><field name="name"/></list>`,
        form: `<form><field name="name"/></form>`,
    };
}

export const CURRENCY = { id: 1, name: "USD", symbol: "$", position: "before", digits: 2 };
export const MONTHS = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, "0")}-01`);

export function kpi(key, value, previous, format = "monetary", ids = [1, 2]) {
    return {
        key,
        format,
        higher_is_better: key !== "churned_mrr",
        value,
        previous,
        trend: MONTHS.map((_, i) => i * (value || 0) / 11),
        drill: { res_model: "woow.paas.subscription", ids },
    };
}

export function dashboard(mrr = 105) {
    return {
        date_from: "2025-12-01",
        date_to: "2025-12-31",
        has_subscriptions: Boolean(mrr),
        currency: CURRENCY,
        months: MONTHS,
        movements: Object.fromEntries(
            ["mrr", "new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr"].map(
                (name) => [name, MONTHS.map(() => (name === "mrr" ? mrr : 0))]
            )
        ),
        charts: {
            revenue_by_plan: [
                { key: 7, label: "Starter", values: MONTHS.map(() => 60) },
                { key: 8, label: "Growth", values: MONTHS.map(() => 45) },
            ],
            tenants_by_state: [{ key: "active", label: "Active", values: MONTHS.map(() => 2) }],
        },
        currencies: [
            { id: 1, name: "USD", symbol: "$" },
            { id: 2, name: "EUR", symbol: "€" },
        ],
        plans: [
            { id: 7, name: "Starter" },
            { id: 8, name: "Growth" },
        ],
        forecast: {
            base_mrr: mrr,
            churn_rate: 0.05,
            trial_conversion: 0.5,
            trial_mrr: 40,
            points: [
                { date: "2026-01-15", mrr: 120 },
                { date: "2026-02-15", mrr: 114 },
                { date: "2026-03-15", mrr: 108.3 },
            ],
            drill: {
                base: { res_model: "woow.paas.subscription", domain: [["id", "in", [1, 2]]] },
                trials: { res_model: "woow.paas.subscription", domain: [["id", "=", 3]] },
            },
            // The tenant bridge fills these (woow_paas_dashboard_tenant).
            quotas: [],
            saturation: [],
            expansion: [
                { subscription_id: 2, name: "SUB/0002", customer: "Acme", plan: "Starter", next_plan: "Growth", expansion_mrr: 20, near_quota: true },
            ],
        },
        kpis: mrr
            ? [
                  kpi("mrr", mrr, 80),
                  kpi("churned_mrr", 30, 10),
                  kpi("customers", 2, 2, "integer", [3]),
                  kpi("logo_churn", 0.25, 0.1, "percent"),
              ]
            : [kpi("mrr", 0, 0), kpi("trials", 0, 0, "integer")],
    };
}

/** The subscriptions the drill-downs open, and the mail models the web client needs. */
export function defineDashboardModels() {
    defineMailModels();
    defineModels([WoowPaasSubscription]);
}

/** Answer ``get_dashboard`` with ``dashboard()``; the arguments of each call
 * go to ``calls`` (from, to, plan ids, currency id). */
export function mockDashboard(calls) {
    onRpc("woow.paas.dashboard", "get_dashboard", ({ args, kwargs }) => {
        calls.push([...args, kwargs.plan_ids, kwargs.currency_id]);
        return dashboard();
    });
}

export async function openDashboard() {
    await mountWebClient();
    await getService("action").doAction("woow_paas_dashboard");
    await animationFrame();
}

