from . import test_branding
from . import test_portal_tenant
from . import test_tenant_signin
from . import test_signin_tour
from . import test_demo_journeys
