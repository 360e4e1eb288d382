from . import woow_paas_signup
from . import woow_paas_tenant
from . import woow_paas_tenant_quota
from . import woow_paas_tenant_quota_sample
