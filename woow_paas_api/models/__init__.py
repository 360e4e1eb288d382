from . import woow_paas_api_key
from . import woow_paas_api_idempotency
from . import woow_paas_api_rate_bucket
