from . import test_branding
from . import test_portal_api
from . import test_portal_api_webhooks
from . import test_tour
