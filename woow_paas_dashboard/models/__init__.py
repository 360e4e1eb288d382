from . import woow_paas_dashboard_dirty
from . import woow_paas_dashboard_segment
from . import woow_paas_dashboard_tenant_segment
from . import woow_paas_dashboard_compute
from . import woow_paas_dashboard_currency
from . import woow_paas_dashboard_chart
from . import woow_paas_dashboard_forecast
from . import woow_paas_dashboard
