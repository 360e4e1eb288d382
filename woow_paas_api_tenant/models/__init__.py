from . import woow_paas_api_key
from . import woow_paas_api_rate_bucket
from . import woow_paas_oauth_client
