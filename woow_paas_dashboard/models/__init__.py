from . import woow_paas_dashboard_dirty
from . import woow_paas_dashboard_segment
from . import woow_paas_dashboard_tenant_segment
from . import woow_paas_dashboard
