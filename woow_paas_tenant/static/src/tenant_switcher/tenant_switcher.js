import { Component } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { session } from "@web/session";

/**
 * Systray menu to switch the current tenant, like the company switcher.
 * The allowed tenants come from the session (see ir.http.session_info).
 */
export class TenantSwitcher extends Component {
    static template = "woow_paas_tenant.TenantSwitcher";
    static components = { Dropdown, DropdownItem };
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.tenants = session.paas_tenants;
    }

    get current() {
        return this.tenants.allowed.find((tenant) => tenant.id === this.tenants.current_id);
    }

    async switchTenant(tenant) {
        if (tenant.id === this.tenants.current_id) {
            return;
        }
        await this.orm.call("res.users", "action_paas_switch_tenant", [[user.userId], tenant.id]);
        browser.location.reload();
    }
}

registry.category("systray").add(
    "woow_paas_tenant.TenantSwitcher",
    {
        Component: TenantSwitcher,
        isDisplayed: () => Boolean(session.paas_tenants?.allowed?.length),
    },
    { sequence: 2 }
);
