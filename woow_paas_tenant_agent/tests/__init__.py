from . import test_agent
from . import test_tenant_admin
