"""Constants of the portal."""

import re

HEX_COLOR_RE = re.compile(r"\A#[0-9a-fA-F]{6}\Z")
# Default rate limits per IP address and per window.
RATE_LIMITS = {
    # bucket: (system parameter, default hits, window in seconds)
    "signup": ("woow_paas_portal.signup_rate_limit", 10, 3600),
    "code_check": ("woow_paas_portal.code_check_rate_limit", 60, 60),
    # Per user: each link made on request opens a connection to the tenant database.
    "tenant_signin": ("woow_paas_portal.tenant_signin_rate_limit", 20, 3600),
}
