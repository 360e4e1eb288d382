from . import main
from . import webhooks
