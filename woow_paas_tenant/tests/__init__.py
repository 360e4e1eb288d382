from . import test_tenant_users
from . import test_quota
from . import test_config
from . import test_tour
from . import test_database_tour
from . import test_database_tenant
from . import test_tenant_url
from . import test_signin_link
