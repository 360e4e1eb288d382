import { registry } from "@web/core/registry";

const SECRET_KEY = "woow_paas_portal_api_tour_secret";

async function callApi(secret) {
    const response = await fetch("/api/v1/plans?limit=1", {
        headers: { Authorization: `Bearer ${secret}` },
    });
    return response.status;
}

/**
 * A customer creates an API key in the portal, sees it once, checks that it
 * authenticates, revokes it and checks that it no longer does.
 */
registry.category("web_tour.tours").add("woow_paas_portal_api_key_tour", {
    url: "/my/api",
    steps: () => [
        {
            content: "Start a new key",
            trigger: "a.o_paas_api_key_new",
            expectUnloadPage: true,
            run: "click",
        },
        {
            trigger: "form.o_paas_api_key_form input[name=name]",
            run: "edit Tour deploys",
        },
        {
            content: "Add a scope to the defaults",
            trigger: "form.o_paas_api_key_form input[value='tenants:write']",
            run: "check",
        },
        {
            content: "Create it",
            trigger: "button.o_paas_api_key_create",
            expectUnloadPage: true,
            run: "click",
        },
        {
            content: "The key is shown once, and it authenticates",
            trigger: ".o_paas_api_secret[data-kind=key] input.o_paas_api_secret_value",
            async run() {
                const secret = this.anchor.value;
                if (!secret.startsWith("wpk_")) {
                    throw new Error(`not an API key: ${secret}`);
                }
                const status = await callApi(secret);
                if (status !== 200) {
                    throw new Error(`the new key was refused: HTTP ${status}`);
                }
                window.sessionStorage.setItem(SECRET_KEY, secret);
            },
        },
        {
            content: "A Copy button sits beside the key",
            trigger: ".o_paas_api_secret[data-kind=key] button.o_paas_api_copy:visible",
            run: "click",
        },
        {
            content: "and answers the click (copied, or the key selected for Ctrl+C)",
            trigger: "button.o_paas_api_copy:not(:contains(Copy))",
        },
        {
            trigger: "a.o_paas_api_done",
            expectUnloadPage: true,
            run: "click",
        },
        {
            content: "The list shows its prefix, never the key",
            trigger: "table.o_paas_api_keys tr:contains(Tour deploys) a.o_paas_api_key_revoke",
            expectUnloadPage: true,
            run() {
                const secret = window.sessionStorage.getItem(SECRET_KEY);
                if (document.body.innerHTML.includes(secret)) {
                    throw new Error("the key is shown again");
                }
                this.anchor.click();
            },
        },
        {
            content: "Confirm the revocation",
            trigger: ".o_paas_api_confirm[data-kind=key_revoke] button.o_paas_api_confirm_button",
            expectUnloadPage: true,
            run: "click",
        },
        {
            content: "Revoked: the key no longer authenticates",
            trigger: ".alert-success:contains(revoked)",
            async run() {
                const status = await callApi(window.sessionStorage.getItem(SECRET_KEY));
                if (status !== 401) {
                    throw new Error(`the revoked key still answers HTTP ${status}`);
                }
            },
        },
        {
            content: "The list says it is revoked",
            trigger: "table.o_paas_api_keys tr:contains(Tour deploys) .badge:contains(Revoked)",
        },
    ],
});

/**
 * A customer picks the events of an endpoint from the list (a whole group
 * with its wildcard, and one type), saves, then sends a test message and
 * reads its result on the same page, without a reload.
 */
registry.category("web_tour.tours").add("woow_paas_portal_api_webhook_tour", {
    url: "/my/api",
    steps: () => [
        {
            content: "Open the endpoint",
            trigger: "table.o_paas_api_endpoints a:contains(127.0.0.1)",
            expectUnloadPage: true,
            run: "click",
        },
        {
            content: "It takes every event: the list is folded",
            trigger: "form.o_paas_api_endpoint_edit .o_paas_api_event_choices.d-none:not(:visible)",
        },
        {
            content: "Take only some events",
            trigger: "form.o_paas_api_endpoint_edit input#event_scope_some",
            run: "click",
        },
        {
            content: "Every tenant event, with the group's wildcard",
            trigger: ".o_paas_api_event_choices:not(.d-none) input#event_tenant_all",
            run: "check",
        },
        {
            content: "The wildcard covers the group's types",
            trigger: "input#event_tenant_suspended:checked:disabled",
        },
        {
            content: "and one subscription event",
            trigger: "input#event_subscription_cancelled",
            run: "check",
        },
        {
            trigger: "form.o_paas_api_endpoint_edit button[type=submit]",
            expectUnloadPage: true,
            run: "click",
        },
        {
            content: "Saved, and shown as chosen",
            trigger: ".alert-success:contains(saved)",
        },
        {
            trigger: "input#event_scope_some:checked",
        },
        {
            trigger: "input#event_tenant_all:checked",
        },
        {
            trigger: "input#event_subscription_cancelled:checked:not(:disabled)",
        },
        {
            content: "Send a test message: the page stays",
            trigger: "button.o_paas_api_test_send",
            run() {
                window.woowPaasTourSamePage = true;
                this.anchor.click();
            },
        },
        {
            content: "Its result shows on the same page",
            trigger: ".o_paas_api_test_live .o_paas_api_test_result.alert-success:contains(delivered)",
            run() {
                if (!window.woowPaasTourSamePage) {
                    throw new Error("the page was reloaded");
                }
                if (!this.anchor.textContent.includes("200 OK")) {
                    throw new Error(`unexpected result: ${this.anchor.textContent}`);
                }
            },
        },
    ],
});
