from . import test_quota_forecast
