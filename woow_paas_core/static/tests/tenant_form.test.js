import { describe, expect, test } from "@odoo/hoot";
import { waitFor } from "@odoo/hoot-dom";
import { animationFrame } from "@odoo/hoot-mock";
import {
    contains,
    defineModels,
    fields,
    models,
    MockServer,
    mountView,
    onRpc,
    serverState,
} from "@web/../tests/web_test_helpers";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";

describe.current.tags("desktop");

class WoowPaasTenant extends models.Model {
    _name = "woow.paas.tenant";
    name = fields.Char();
    state = fields.Selection({
        selection: [
            ["provisioning", "Provisioning"],
            ["active", "Active"],
            ["failed", "Failed"],
        ],
    });
    _records = [
        { id: 1, name: "Acme", state: "provisioning" },
        { id: 2, name: "Globex", state: "provisioning" },
    ];
}
defineMailModels();
defineModels([WoowPaasTenant]);

const ARCH = `
    <form js_class="woow_paas_tenant_form">
        <header><field name="state" widget="statusbar"/></header>
        <sheet><field name="name"/></sheet>
    </form>`;
const CURRENT = ".o_statusbar_status .o_arrow_button_current";

/** What the server does when a tenant moves: write, then notify the bus. */
function move(id, state) {
    MockServer.env["woow.paas.tenant"].write([id], { state });
    MockServer.env["bus.bus"]._sendone(serverState.partnerId, "woow_paas.tenant/state", {
        ids: [id],
        state,
    });
}

test("the form follows its tenant's status without a reload by hand", async () => {
    const reads = [];
    onRpc("woow.paas.tenant", "web_read", ({ args }) => {
        reads.push(args[0]);
    });
    await mountView({ type: "form", resModel: "woow.paas.tenant", resId: 1, arch: ARCH });
    expect(CURRENT).toHaveText("Provisioning");
    expect(reads).toEqual([[1]]);

    move(2, "active"); // another tenant: nothing to do
    await animationFrame();
    expect(reads).toEqual([[1]]);

    move(1, "active");
    await waitFor(`${CURRENT}:contains(Active)`);
    expect(reads).toEqual([[1], [1]]);
});

test("unsaved changes are kept: the form says the status changed instead", async () => {
    await mountView({ type: "form", resModel: "woow.paas.tenant", resId: 1, arch: ARCH });
    await contains(".o_field_widget[name=name] input").edit("Acme Edited", { confirm: false });
    move(1, "failed");
    await waitFor(".o_notification:contains(save or discard)");
    expect(CURRENT).toHaveText("Provisioning");
    expect(".o_field_widget[name=name] input").toHaveValue("Acme Edited");
});
