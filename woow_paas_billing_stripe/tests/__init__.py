from . import test_payment_cycle
from . import test_dunning
from . import test_webhook
from . import test_concurrency
