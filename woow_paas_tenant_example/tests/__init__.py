from . import test_isolation
from . import test_tour
from . import test_authorization_matrix
