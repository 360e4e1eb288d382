"""Numbers and amounts as customers and operators read them.

Every figure a page, a mail or an invoice line shows goes through these
helpers rather than ``str()``, ``%g`` or ``isoformat()``: they follow the
reader's language (decimal point, thousands separator, through Odoo's
``formatLang``) and a precision chosen for the figure, never the float's.
"""

from decimal import Decimal

from odoo.tools import float_round, formatLang, get_lang

NBSP = "\N{NO-BREAK SPACE}"
# Byte units a resource or a metric may count in, smallest first: a value of
# 1,024 or more is said in the next one (20,480 MB is 20 GB).
BYTE_UNITS = ("KB", "MB", "GB", "TB", "PB")


def _decimal_point(env):
    return env["res.lang"]._get_data(code=get_lang(env).code).decimal_point or "."


def format_number(env, value, digits=2, trim=False):
    """``value`` in the language of ``env`` with ``digits`` decimals
    (``1234.5`` → ``1,234.50``); with ``trim``, without trailing zeros
    (``1,234.5``, ``20``). ``None`` is an empty string."""
    if value is None or value is False:
        return ""
    digits = max(int(digits or 0), 0)
    # ``or 0.0``: a negative value that rounds to zero is zero, not "-0".
    value = float_round(float(value), precision_digits=digits) or 0.0
    text = formatLang(env, value, digits=digits)
    if trim and digits:
        point = _decimal_point(env)
        if point in text:
            text = text.rstrip("0").rstrip(point)
    return text


def price_digits(value, minimum=2, maximum=6):
    """The decimals a unit price needs: at least the currency's, more when
    the price has them (a call at 0.0005), at most ``maximum``."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return min(max(minimum, -exponent if isinstance(exponent, int) else 0), maximum)


def format_money(env, amount, currency, digits=None):
    """``amount`` in ``currency`` the way Odoo writes money (symbol before or
    after, a non-breaking space), with the minus sign in front of the whole
    amount: ``-$ 7.73``, not ``$ -7.73``. ``digits`` defaults to the
    currency's decimals (unit prices pass more); without a currency, the
    number alone."""
    if not currency:
        return format_number(env, amount, 2 if digits is None else digits)
    digits = currency.decimal_places if digits is None else digits
    amount = float_round(float(amount), precision_digits=digits) or 0.0
    number = format_number(env, abs(amount), digits)
    symbol = currency.symbol or currency.name or ""
    text = f"{number}{NBSP}{symbol}" if currency.position == "after" else f"{symbol}{NBSP}{number}"
    return f"-{text}" if amount < 0 else text


def scale_bytes(value, unit):
    """``(value, unit)`` with a byte unit raised while the value reaches
    1,024 (``20480, "MB"`` → ``20.0, "GB"``); any other unit unchanged."""
    unit = unit or ""
    if unit not in BYTE_UNITS or value is None:
        return value, unit
    index = BYTE_UNITS.index(unit)
    value = float(value)
    while abs(value) >= 1024 and index < len(BYTE_UNITS) - 1:
        value /= 1024
        index += 1
    return value, BYTE_UNITS[index]


def format_quantity(env, value, unit=None, digits=2, trim=True):
    """A quantity and its unit (``20 GB``, ``85,000 calls / month``): byte
    units scaled, ``digits`` decimals at most (trailing zeros dropped unless
    ``trim`` is false)."""
    value, unit = scale_bytes(value, unit)
    number = format_number(env, value, digits, trim=trim)
    return f"{number} {unit}" if unit else number
