from . import common
from . import test_pricing
from . import test_aggregation
from . import test_ingest
from . import test_concurrency
from . import test_tour
from . import test_views
