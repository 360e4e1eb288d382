from . import account_move
from . import product_pricelist
from . import woow_paas_plan
from . import woow_paas_signup
