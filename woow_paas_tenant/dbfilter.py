"""Serve each database tenant by host name.

Odoo's ``dbfilter`` may use ``%d``, the first label of the host name, so one
filter such as ``^(platform|woow_t_%d)$`` matches the platform database and
the tenant database named after the host. On ``acme.example.com`` both
exist and Odoo, seeing two, would serve neither. :func:`post_load` wraps
``odoo.http.db_filter`` so that the databases matched only thanks to the host
name win: ``acme.example.com`` opens ``woow_t_acme`` and the platform's own
host opens the platform. Active when this module is loaded server-wide
(``--load=base,web,woow_paas_tenant``) or once the platform database is.
"""

import re

from odoo import http
from odoo.tools import config


def _paas_db_filter(dbs, host=None):
    matched = _paas_db_filter.original(dbs, host=host)
    if len(matched) < 2 or "%d" not in (config["dbfilter"] or ""):
        return matched
    # The same filter with a host label that matches nothing.
    without_host = re.compile(config["dbfilter"].replace("%h", "\x00").replace("%d", "\x00"))
    by_host = [db for db in matched if not without_host.match(db)]
    return by_host or matched


def post_load():
    if not getattr(http.db_filter, "_paas_wrapped", False):
        _paas_db_filter.original = http.db_filter
        _paas_db_filter._paas_wrapped = True
        http.db_filter = _paas_db_filter
