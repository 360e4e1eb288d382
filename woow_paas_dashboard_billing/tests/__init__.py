from . import test_usage_kpis
