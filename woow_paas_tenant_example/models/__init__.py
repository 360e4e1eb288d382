from . import woow_paas_example_project
from . import woow_paas_example_task
