from . import main
from . import oauth
from . import graphql
from . import webhooks
from . import event_types
