from . import test_branding
from . import test_portal_tenant
