from . import woow_paas_api_key
from . import woow_paas_oauth_client
from . import woow_paas_webhook_endpoint
