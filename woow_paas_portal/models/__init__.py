from . import mail_template
from . import res_company
from . import res_config_settings
from . import woow_paas_plan
from . import woow_paas_portal_rate_limit
from . import woow_paas_signup
from . import woow_paas_subscription
from . import woow_paas_tenant
