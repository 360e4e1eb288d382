import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";

/**
 * The event types of a webhook endpoint form: the list shows only when the
 * endpoint takes some events, and a group's wildcard (tenant.*) ticks and
 * locks the group's types, which it covers. Without JavaScript the form
 * works the same; the server drops what a wildcard covers.
 */
export class WebhookEventTypes extends Interaction {
    static selector = ".o_paas_api_event_types";
    dynamicContent = {
        "input[name=event_scope]": { "t-on-change": this.render },
        ".o_paas_api_event_wildcard": { "t-on-change": this.render },
        ".o_paas_api_event_choices": {
            "t-att-class": () => ({ "d-none": !this.someEvents() }),
        },
    };

    someEvents() {
        return Boolean(this.el.querySelector("input[name=event_scope][value=some]:checked"));
    }

    render() {
        for (const groupEl of this.el.querySelectorAll(".o_paas_api_event_group")) {
            const wildcard = groupEl.querySelector(".o_paas_api_event_wildcard").checked;
            for (const typeEl of groupEl.querySelectorAll(".o_paas_api_event_type")) {
                if (wildcard && !typeEl.disabled) {
                    typeEl.dataset.wasChecked = typeEl.checked ? "1" : "";
                    typeEl.checked = true;
                    typeEl.disabled = true;
                } else if (!wildcard && typeEl.disabled) {
                    typeEl.checked = Boolean(typeEl.dataset.wasChecked);
                    typeEl.disabled = false;
                }
            }
        }
    }

    start() {
        this.render();
    }
}

registry
    .category("public.interactions")
    .add("woow_paas_portal_api.webhook_event_types", WebhookEventTypes);
