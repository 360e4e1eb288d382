from . import portal
from . import usage
from . import signup
