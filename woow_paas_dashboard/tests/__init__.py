from . import test_dashboard
from . import test_dashboard_snapshot
from . import test_sql_fragments
from . import test_ui
from . import test_currency
