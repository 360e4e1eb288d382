from . import res_users
from . import woow_paas_oidc_provider
