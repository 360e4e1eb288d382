import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

/**
 * Copy buttons beside a secret shown once (API key, client secret, webhook
 * secret): the Clipboard API where the browser allows it (https or
 * localhost), else the field is selected and copied the old way; when even
 * that fails, the selected field asks for Ctrl+C.
 */
export class CopySecret extends Interaction {
    static selector = ".o_paas_api_secret";
    dynamicContent = {
        ".o_paas_api_copy": {
            "t-on-click": this.copy,
            "t-att-class": () => ({ "d-none": false }),
        },
    };

    async copy(ev) {
        const buttonEl = ev.currentTarget;
        const inputEl = this.el.querySelector(buttonEl.dataset.copyTarget);
        if (!inputEl) {
            return;
        }
        let copied = false;
        if (navigator.clipboard && window.isSecureContext) {
            try {
                await this.waitFor(navigator.clipboard.writeText(inputEl.value));
                copied = true;
            } catch {
                copied = false;
            }
        }
        if (!copied) {
            inputEl.focus();
            inputEl.select();
            try {
                copied = document.execCommand("copy");
            } catch {
                copied = false;
            }
        }
        buttonEl.textContent = copied ? _t("Copied") : _t("Press Ctrl+C");
        buttonEl.classList.toggle("o_paas_api_copied", copied);
        this.waitForTimeout(() => {
            buttonEl.textContent = _t("Copy");
            buttonEl.classList.remove("o_paas_api_copied");
        }, 2500);
    }
}

registry.category("public.interactions").add("woow_paas_portal_api.copy_secret", CopySecret);
