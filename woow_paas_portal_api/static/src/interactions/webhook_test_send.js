import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

const POLL_INTERVAL = 1000;
// The worker gives up on a receiver after 5 s to connect and 15 s to answer.
const POLL_TRIES = 40;

/**
 * "Send a test message" without leaving the page: the form's POST (with its
 * CSRF token) goes to the JSON route, which queues the message and names
 * the delivery; the page then asks for its result every second and shows
 * it in words. Without JavaScript the form posts and the page reloads.
 */
export class WebhookTestSend extends Interaction {
    static selector = ".o_paas_api_test_form";
    dynamicContent = {
        _root: { "t-on-submit.prevent": this.send },
        "button[type=submit]": { "t-att-disabled": () => this.busy },
    };

    setup() {
        this.busy = false;
        this.liveEl = document.querySelector(".o_paas_api_test_live");
    }

    async send() {
        if (this.busy) {
            return;
        }
        this.busy = true;
        document.querySelector(".o_paas_api_test_result")?.remove();
        this.show("info", _t("Sending a test message…"), "");
        let status;
        try {
            const response = await this.waitFor(
                fetch(this.el.dataset.jsonAction, {
                    method: "POST",
                    body: new FormData(this.el),
                    headers: { Accept: "application/json" },
                })
            );
            status = await this.waitFor(readJson(response));
        } catch {
            this.busy = false;
            this.show(
                "danger",
                _t("The test message could not be sent"),
                _t("reload the page and try again.")
            );
            return;
        }
        this.track(status, 0);
    }

    track(status, tries) {
        if (status.done) {
            this.busy = false;
            this.show(
                status.delivered ? "success" : "warning",
                status.delivered ? _t("Test message delivered") : _t("Test message not delivered"),
                status.message,
                status.url
            );
            return;
        }
        const waiting = _t("it is sent within seconds and its result shows here.");
        if (tries >= POLL_TRIES) {
            this.busy = false;
            this.show(
                "info",
                _t("Test message still waiting"),
                _t("its result will be in the delivery log."),
                status.url
            );
            return;
        }
        this.show("info", _t("Test message queued"), waiting);
        this.waitForTimeout(async () => {
            try {
                const response = await this.waitFor(
                    fetch(status.status_url, { headers: { Accept: "application/json" } })
                );
                this.track(await this.waitFor(readJson(response)), tries + 1);
            } catch {
                this.track(status, tries + 1);
            }
        }, POLL_INTERVAL);
    }

    show(kind, title, message, detailsUrl) {
        if (!this.liveEl) {
            return;
        }
        const alertEl = document.createElement("div");
        alertEl.className = `alert alert-${kind} o_paas_api_test_result mb-0`;
        alertEl.setAttribute("role", "status");
        const titleEl = document.createElement("strong");
        titleEl.textContent = title;
        alertEl.append(titleEl);
        if (message) {
            alertEl.append(`: ${message}`);
        }
        if (detailsUrl) {
            const linkEl = document.createElement("a");
            linkEl.href = detailsUrl;
            linkEl.className = "ms-2";
            linkEl.textContent = _t("Details");
            alertEl.append(" ", linkEl);
        }
        this.liveEl.replaceChildren(alertEl);
    }
}

async function readJson(response) {
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || !type.includes("json")) {
        throw new Error(`HTTP ${response.status}`);
    }
    return response.json();
}

registry
    .category("public.interactions")
    .add("woow_paas_portal_api.webhook_test_send", WebhookTestSend);
