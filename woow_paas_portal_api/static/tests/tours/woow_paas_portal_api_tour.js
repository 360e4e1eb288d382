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

/** A customer sends a test message to a webhook endpoint and reads the result. */
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
            trigger: "button.o_paas_api_test_send",
            expectUnloadPage: true,
            run: "click",
        },
        {
            content: "The test message is queued for the worker",
            trigger: ".o_paas_api_test_result.alert-info:contains(queued)",
        },
        {
            content: "and it is in the delivery log",
            trigger: "table.o_paas_api_deliveries td:contains(webhook.test)",
        },
    ],
});
