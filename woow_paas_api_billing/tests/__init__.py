from . import test_api_invoices
from . import test_api_subscription_start
from . import test_api_usage
