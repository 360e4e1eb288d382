import { onWillDestroy } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { FormController } from "@web/views/form/form_controller";
import { formView } from "@web/views/form/form_view";

/** Sent by the server on every status change of tenants (see
 * ``woow.paas.tenant._paas_notify_state``), to the PaaS users' group. */
export const TENANT_STATE_NOTIFICATION = "woow_paas.tenant/state";

/**
 * The tenant form follows its tenant's status live: a provisioning job (or
 * anyone else) moving the tenant reloads the form, unless it has unsaved
 * changes, in which case it says so instead of losing them.
 */
export class WoowPaasTenantFormController extends FormController {
    setup() {
        super.setup();
        this.busService = useService("bus_service");
        this.notificationService = useService("notification");
        this.onTenantState = this.onTenantState.bind(this);
        this.busService.subscribe(TENANT_STATE_NOTIFICATION, this.onTenantState);
        if (!this.busService.isActive) {
            this.busService.start();
        }
        onWillDestroy(() =>
            this.busService.unsubscribe(TENANT_STATE_NOTIFICATION, this.onTenantState)
        );
    }

    async onTenantState({ ids, state }) {
        // Not loaded yet (or already gone): the next load reads the new status anyway.
        const record = this.model.root;
        if (!record?.resId || !(ids || []).includes(record.resId) || record.data.state === state) {
            return;
        }
        if (await record.isDirty()) {
            this.notificationService.add(
                _t("This tenant's status changed: save or discard your changes to see it."),
                { type: "warning" }
            );
            return;
        }
        await record.load();
    }
}

export const woowPaasTenantFormView = {
    ...formView,
    Controller: WoowPaasTenantFormController,
};

registry.category("views").add("woow_paas_tenant_form", woowPaasTenantFormView);
