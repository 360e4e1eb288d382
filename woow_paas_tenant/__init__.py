from . import models
from .dbfilter import post_load
