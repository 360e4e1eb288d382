from . import test_portal_tenant
