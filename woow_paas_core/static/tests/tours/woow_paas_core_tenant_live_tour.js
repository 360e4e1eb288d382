import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/**
 * An operator has a tenant whose provisioning does not end open in its form;
 * the tenant moves elsewhere (here an RPC beside the form, as a job or a
 * colleague would) and the form shows the new status by itself, through the
 * bus, without a reload.
 */
registry.category("web_tour.tours").add("woow_paas_core_tenant_live_tour", {
    steps: () => [
        {
            content: "A stuck provisioning says so and offers its three ways out",
            trigger: ".o_form_view .o_paas_provisioning_stuck:contains(has not ended)",
        },
        { trigger: ".o_form_statusbar button[name=action_retry_provisioning]" },
        { trigger: ".o_form_statusbar button[name=action_cancel_provisioning]" },
        { trigger: ".o_form_statusbar button[name=action_archive_provisioning]" },
        { trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Provisioning)" },
        {
            content: "Someone else cancels it",
            trigger: ".o_form_view .o_field_widget[name=name]",
            async run() {
                const [id] = await rpc("/web/dataset/call_kw/woow.paas.tenant/search", {
                    model: "woow.paas.tenant",
                    method: "search",
                    args: [[["code", "=", "tour-live"]]],
                    kwargs: {},
                });
                await rpc("/web/dataset/call_kw/woow.paas.tenant/action_cancel_provisioning", {
                    model: "woow.paas.tenant",
                    method: "action_cancel_provisioning",
                    args: [[id]],
                    kwargs: {},
                });
            },
        },
        {
            content: "The open form follows: Failed, with the reason, and no stuck actions",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Failed)",
        },
        { trigger: ".o_form_view .o_field_widget[name=state_message]:contains(cancelled by)" },
        { trigger: ".o_form_statusbar:not(:has(button[name=action_cancel_provisioning]))" },
        { trigger: ".o_form_statusbar button[name=action_provision]:contains(Retry Provisioning)" },
    ],
});
