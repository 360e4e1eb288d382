from . import woow_paas_subscription_cancel
from . import woow_paas_subscription_change_plan
