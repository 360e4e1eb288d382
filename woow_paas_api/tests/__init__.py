from . import test_api
from . import test_api_key
from . import test_api_usage
from . import test_oauth
from . import test_graphql
from . import test_tour
from . import test_webhooks
from . import test_webhook_api
