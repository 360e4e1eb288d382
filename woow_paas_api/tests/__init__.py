from . import test_api
from . import test_api_key
from . import test_tour
