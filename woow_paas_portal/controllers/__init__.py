from . import auth_signup
from . import demo
from . import portal
from . import signup
