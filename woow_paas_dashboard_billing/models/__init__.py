from . import woow_paas_dashboard_usage_day
from . import woow_paas_dashboard_usage_dirty
from . import woow_paas_dashboard
from . import woow_paas_dashboard_usage
