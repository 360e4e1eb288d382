from . import test_portal_routes
