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
# Odoo's account mails to customers, sent as their white-label counterparts
# (mail.template.send_mail_batch): auth_signup's "account created" after a
# sign-up and its portal invitation.
BRANDED_MAIL_TEMPLATES = {
    "auth_signup.mail_template_user_signup_account_created": (
        "woow_paas_portal.mail_template_paas_account_created"
    ),
    "auth_signup.portal_set_password_email": "woow_paas_portal.mail_template_paas_portal_invite",
}
# Odoo's default email button colours (mail): replaced by the brand's.
ODOO_EMAIL_COLORS = {"email_primary_color": "#ffffff", "email_secondary_color": "#875a7b"}
