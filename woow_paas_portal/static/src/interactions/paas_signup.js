import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

/** A code suggested from a name: lowercase ASCII, digits and hyphens. */
function slugify(name) {
    return name
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 63)
        .replace(/-+$/g, "");
}

/**
 * The tenant step: suggests a code from the name, checks the code's
 * availability as it is typed (the server answers available, invalid with
 * the reason, or taken) and sends the form once.
 */
export class PaasTenantForm extends Interaction {
    static selector = ".o_paas_tenant_form";

    setup() {
        this.nameEl = this.el.querySelector("#paas_tenant_name");
        this.codeEl = this.el.querySelector("#paas_tenant_code");
        this.statusEl = this.el.querySelector("#paas_code_status");
        this.codeTouched = Boolean(this.codeEl.value);
        this.lastChecked = null;
    }

    start() {
        this.checkSoon = this.debounced(() => this.check(), 300);
        this.addListener(this.nameEl, "input", () => {
            if (!this.codeTouched) {
                this.codeEl.value = slugify(this.nameEl.value);
                this.checkSoon();
            }
        });
        this.addListener(this.codeEl, "input", () => {
            this.codeTouched = Boolean(this.codeEl.value);
            this.checkSoon();
        });
        this.addListener(this.el, "submit", (ev) => {
            const button = this.el.querySelector(".o_paas_submit");
            if (this.el.dataset.sent) {
                ev.preventDefault();
                return;
            }
            // The server is idempotent too; this only spares a second request.
            this.el.dataset.sent = "1";
            button.setAttribute("aria-busy", "true");
            button.classList.add("disabled");
        });
    }

    async check() {
        const code = this.codeEl.value.trim().toLowerCase();
        if (code === this.lastChecked) {
            return;
        }
        this.lastChecked = code;
        if (!code) {
            this.show("", "");
            return;
        }
        let answer;
        try {
            const response = await this.waitFor(
                fetch(`/paas/tenant-code/check?code=${encodeURIComponent(code)}`, {
                    headers: { Accept: "application/json" },
                })
            );
            answer = await this.waitFor(response.json());
        } catch {
            answer = { status: "error", message: _t("Could not check the code right now.") };
        }
        if (code !== this.codeEl.value.trim().toLowerCase()) {
            return; // typed further meanwhile
        }
        this.show(answer.status, answer.message);
    }

    show(status, message) {
        this.statusEl.textContent = message || "";
        this.statusEl.dataset.status = status;
        this.statusEl.classList.toggle("text-success", status === "available");
        this.statusEl.classList.toggle("text-danger", ["invalid", "taken", "rate_limited"].includes(status));
        this.codeEl.classList.toggle("is-invalid", ["invalid", "taken"].includes(status));
        this.codeEl.classList.toggle("is-valid", status === "available");
        if (["invalid", "taken"].includes(status)) {
            this.codeEl.setAttribute("aria-invalid", "true");
        } else {
            this.codeEl.removeAttribute("aria-invalid");
        }
    }
}

/**
 * The provisioning page: polls the sign-up's status and redraws its steps
 * until the tenant is ready (then offers to open it) or failed (then shows
 * the reason and Retry).
 */
export class PaasSignupProgress extends Interaction {
    static selector = ".o_paas_progress";

    setup() {
        this.url = this.el.dataset.statusUrl;
        this.delay = 1000;
    }

    start() {
        const status = JSON.parse(this.el.dataset.status || "{}");
        this.render(status);
        if (!status.ready && !status.failed) {
            this.schedule();
        }
    }

    schedule() {
        this.waitForTimeout(() => this.poll(), this.delay);
        // Slow down gently for long provisionings (a database copy).
        this.delay = Math.min(this.delay * 1.3, 5000);
    }

    async poll() {
        let status;
        try {
            const response = await this.waitFor(
                fetch(this.url, { headers: { Accept: "application/json" }, cache: "no-store" })
            );
            if (!response.ok) {
                throw new Error(String(response.status));
            }
            status = await this.waitFor(response.json());
        } catch {
            this.schedule();
            return;
        }
        this.render(status);
        if (!status.ready && !status.failed) {
            this.schedule();
        }
    }

    render(status) {
        const list = this.el.querySelector(".o_paas_progress_steps");
        for (const step of status.steps || []) {
            let item = list.querySelector(`[data-step="${step.key}"]`);
            if (!item) {
                item = list.firstElementChild.cloneNode(true);
                item.dataset.step = step.key;
                list.appendChild(item);
            }
            item.dataset.status = step.status;
            item.querySelector(".o_paas_step_label").textContent = step.label;
            item.querySelector(".o_paas_step_status").textContent = step.status;
        }
        const failed = this.el.querySelector(".o_paas_failed");
        failed.classList.toggle("d-none", !status.failed);
        failed.querySelector(".o_paas_failed_message").textContent = status.message || "";
        const open = this.el.querySelector(".o_paas_open");
        open.classList.toggle("d-none", !status.ready);
        if (status.open_url) {
            open.setAttribute("href", status.open_url);
        }
        if (status.open_label) {
            open.textContent = status.open_label;
        }
        const note = this.el.querySelector(".o_paas_open_note");
        if (note) {
            note.textContent = status.open_note || "";
            note.classList.toggle("d-none", !(status.ready && status.open_note));
        }
        this.el.dataset.state = status.state || "";
    }
}

registry
    .category("public.interactions")
    .add("woow_paas_portal.tenant_form", PaasTenantForm)
    .add("woow_paas_portal.signup_progress", PaasSignupProgress);
