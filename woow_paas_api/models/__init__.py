from . import woow_paas_api_key
from . import woow_paas_api_idempotency
from . import woow_paas_api_rate_bucket
from . import woow_paas_event
from . import woow_paas_webhook_endpoint
from . import woow_paas_webhook_delivery
from . import woow_paas_webhook_attempt
