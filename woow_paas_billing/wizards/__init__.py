from . import woow_paas_subscription_cancel
