from . import invoices
from . import usage
from . import graphql
