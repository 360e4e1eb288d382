from . import test_oidc
