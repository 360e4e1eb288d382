from . import test_agent
