from . import invoices
from . import graphql
