"""Constants of the Stripe bridge."""

# Base URL of a Stripe-compatible API (localstripe) used instead of Stripe by
# providers in test mode: a system parameter, else this environment variable
# (set by scripts/common.sh), else Stripe itself.
PARAM_API_BASE = "woow_paas_billing_stripe.api_base"
ENV_API_BASE = "WOOW_STRIPE_API_BASE"
STRIPE_API_BASE = "https://api.stripe.com"

# The fixed webhook secret the demo data once shipped: replaced by a random
# one per database when the demo data is loaded again.
OLD_DEMO_WEBHOOK_SECRET = "whsec_woow_demo_localstripe"
