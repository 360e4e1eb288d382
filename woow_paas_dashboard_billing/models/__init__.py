from . import woow_paas_dashboard
from . import woow_paas_dashboard_usage
