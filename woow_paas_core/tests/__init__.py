from . import common
from . import test_constraints
from . import test_event
from . import test_security
from . import test_subscription_lifecycle
from . import test_tenant_lifecycle
from . import test_tour
from . import test_integrity
