from . import test_portal_routes
from . import test_signup
