from . import woow_paas_api_key
from . import woow_paas_api_idempotency
from . import woow_paas_api_rate_bucket
from . import woow_paas_oauth_client
from . import woow_paas_oauth_code
from . import woow_paas_oauth_token
