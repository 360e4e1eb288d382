from . import woow_paas_api_key_show
from . import woow_paas_webhook_secret_show
from . import woow_paas_webhook_redeliver
