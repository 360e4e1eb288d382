from . import test_api_calls
