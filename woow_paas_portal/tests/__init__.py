from . import test_branding
from . import test_portal_routes
from . import test_pricing_currency
from . import test_signup
from . import test_tours
from . import test_signup_demo_password
