from . import base
from . import res_users
from . import res_groups
from . import ir_config_parameter
from . import ir_http
from . import ir_model_data
from . import ir_module_module
