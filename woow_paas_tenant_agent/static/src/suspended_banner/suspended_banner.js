import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { session } from "@web/session";

/** A banner across the web client while the tenant database is suspended. */
export class SuspendedBanner extends Component {
    static template = "woow_paas_tenant_agent.SuspendedBanner";
    static props = {};

    get message() {
        return session.paas_suspended;
    }
}

registry
    .category("main_components")
    .add("woow_paas_tenant_agent.SuspendedBanner", { Component: SuspendedBanner });
