from . import test_api_calls
from . import test_tenant_bound
from . import test_tenant_list
