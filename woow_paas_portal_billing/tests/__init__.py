from . import test_portal_billing
from . import test_usage
from . import test_query_count
from . import test_tours
from . import test_signup_pay
from . import test_mail_branding
from . import test_branding
from . import test_pricing_currency
