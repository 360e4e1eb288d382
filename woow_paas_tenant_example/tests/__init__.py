from . import test_isolation
from . import test_tour
