from . import test_api_invoices
