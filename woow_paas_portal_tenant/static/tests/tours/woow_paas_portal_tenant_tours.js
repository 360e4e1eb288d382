import { registry } from "@web/core/registry";

/**
 * A signed-in customer goes from its tenants to its database tenant's page
 * and signs in as administrator: the platform answers with a fresh one-time
 * link to the tenant's own Odoo, which the browser follows. (The test
 * serves that other host and brings the browser back with the outcome.)
 */
registry.category("web_tour.tours").add("woow_paas_portal_tenant_signin_tour", {
    url: "/my/tenants",
    steps: () => [
        {
            trigger: "a:contains(Tour-Signin)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The administrator's way in",
            trigger: "#paas_tenant_signin:contains(its administrator signs in as owner@customer-a.example.com)",
        },
        {
            content: "The link made at provisioning, until it is replaced",
            trigger: "#paas_tenant_signin a.o_paas_first_signin[href*='/woow_paas_agent/signin?token=']",
        },
        {
            trigger: "button.o_paas_tenant_signin:contains(Sign in as administrator)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back from the tenant's Odoo, signed in there",
            trigger: ".o_portal_paas_tenant",
            run() {
                const uid = new URLSearchParams(window.location.search).get("tour_signed_in");
                if (!uid || uid === "0") {
                    throw new Error(`Not signed in to the tenant: ${window.location.href}`);
                }
            },
        },
        {
            content: "The link made at provisioning was replaced by the new one",
            trigger: "#paas_tenant_signin:not(:has(a.o_paas_first_signin))",
        },
    ],
});
