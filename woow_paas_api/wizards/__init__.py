from . import woow_paas_api_key_show
