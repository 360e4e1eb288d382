from . import test_usage_kpis
from . import test_payment_kpis
