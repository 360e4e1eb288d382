from . import test_isolation
