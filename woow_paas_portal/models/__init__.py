from . import woow_paas_subscription
from . import woow_paas_tenant
