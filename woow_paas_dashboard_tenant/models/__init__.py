from . import woow_paas_dashboard
