from . import portal
from . import signup
