from urllib.parse import quote as url_quote

from markupsafe import escape as html_escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from .const import HEX_COLOR_RE, ODOO_EMAIL_COLORS

DEFAULT_PRIMARY_COLOR = "#1f6feb"


def _rgb(hex_color):
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))


def _hex(rgb):
    return "#" + "".join(f"{round(min(max(c, 0), 255)):02x}" for c in rgb)


def _rgb_text(hex_color):
    """``"r, g, b"``, for Bootstrap's ``--*-rgb`` custom properties."""
    return ", ".join(str(c) for c in _rgb(hex_color))


def _luminance(hex_color):
    """WCAG relative luminance of ``hex_color``."""

    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in _rgb(hex_color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(color_a, color_b):
    lighter, darker = sorted((_luminance(color_a), _luminance(color_b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _shade(hex_color, black_share):
    """``hex_color`` mixed with ``black_share`` (0 to 1) of black."""
    return _hex(tuple(c * (1 - black_share) for c in _rgb(hex_color)))


def _readable_text_color(hex_color):
    """Black or white, whichever contrasts more with ``hex_color`` (WCAG
    relative luminance), so that any brand colour keeps buttons readable."""
    luminance = _luminance(hex_color)
    # Contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05.
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000000"


def _readable_on_white(hex_color, ratio=4.5):
    """``hex_color``, darkened just enough to be read as text on white
    (WCAG AA, 4.5:1): links and outlined buttons of a light brand colour."""
    share = 0.0
    color = hex_color
    while _contrast(color, "#ffffff") < ratio and share < 1:
        share = round(share + 0.05, 2)
        color = _shade(hex_color, share)
    return color


def _brand_palette(hex_color):
    """The colours the portal's stylesheet derives from the brand colour:
    CSS custom properties, all computed here so that the browser needs no
    colour maths and any #rrggbb stays readable."""
    link = _readable_on_white(hex_color)
    link_hover = _shade(link, 0.2)
    return {
        "--woow-paas-primary": hex_color,
        "--woow-paas-primary-rgb": _rgb_text(hex_color),
        "--woow-paas-on-primary": _readable_text_color(hex_color),
        "--woow-paas-primary-hover": _shade(hex_color, 0.15),
        "--woow-paas-primary-active": _shade(hex_color, 0.25),
        "--woow-paas-primary-subtle": _hex(tuple(c + (255 - c) * 0.85 for c in _rgb(hex_color))),
        "--woow-paas-link": link,
        "--woow-paas-link-rgb": _rgb_text(link),
        "--woow-paas-link-hover": link_hover,
        "--woow-paas-link-hover-rgb": _rgb_text(link_hover),
    }


class ResCompany(models.Model):
    """White-label basics of the portal: the name, colour and support
    contacts the customer sees. The logo is the company's own."""

    _inherit = "res.company"

    paas_product_name = fields.Char(
        string="Product Name",
        translate=True,
        help="Name of the service shown on the pricing page, the portal and the PaaS emails "
        "(the company name when empty).",
    )
    paas_primary_color = fields.Char(
        string="Primary Colour",
        default=DEFAULT_PRIMARY_COLOR,
        help="Hexadecimal colour (#rrggbb) of the portal's buttons and highlights.",
    )
    paas_support_email = fields.Char(string="Support Email")
    paas_support_url = fields.Char(string="Support URL")

    @api.constrains("paas_primary_color", "paas_support_email", "paas_support_url")
    def _check_paas_branding(self):
        for company in self:
            color = company.paas_primary_color
            if color and not HEX_COLOR_RE.fullmatch(color):
                raise ValidationError(
                    self.env._(
                        "The primary colour %(color)r is not a #rrggbb hexadecimal colour.",
                        color=company.paas_primary_color,
                    )
                )
            if company.paas_support_email and not email_normalize(company.paas_support_email):
                raise ValidationError(
                    self.env._(
                        "The support email %(email)r is not an email address.",
                        email=company.paas_support_email,
                    )
                )
            url = company.paas_support_url or ""
            if url and not url.startswith(("https://", "http://")):
                raise ValidationError(
                    self.env._("The support URL must start with https:// or http://.")
                )

    def write(self, vals):
        previous = {}
        if "paas_primary_color" in vals:
            previous = {company.id: company._paas_email_colors() for company in self}
        result = super().write(vals)
        if previous:
            self._paas_sync_email_colors(previous)
        return result

    def _paas_email_colors(self):
        """The email button colours (``mail``) the brand colour gives."""
        brand = self._paas_branding()
        return {
            "email_primary_color": brand["primary_text_color"],
            "email_secondary_color": brand["primary_color"],
        }

    def _paas_sync_email_colors(self, previous):
        """Odoo's own mails (invoices, portal messages) paint their buttons
        with the company's email colours: follow the brand colour while they
        are Odoo's defaults or the previous brand's, never over colours the
        operator chose."""
        for company in self:
            current = {name: (company[name] or "").lower() for name in ODOO_EMAIL_COLORS}
            if current in (ODOO_EMAIL_COLORS, previous[company.id]):
                company.write(company._paas_email_colors())

    def paas_mail_signature(self):
        """Override of ``woow_paas_core``: the white label's product name and
        support contact under the PaaS mails."""
        self.ensure_one()
        brand = self._paas_branding()
        parts = [brand["product_name"]]
        if brand["support_email"]:
            parts.append(self.env._("Help: %s", brand["support_email"]))
        if brand["support_url"]:
            parts.append(brand["support_url"])
        return " · ".join(parts)

    def _paas_branding(self):
        """The white-label values as one dict, for portal pages and mail
        templates: ``product_name``, ``primary_color``,
        ``primary_text_color`` (black or white on the colour),
        ``link_color`` (the colour made readable as text on white),
        ``support_email``, ``support_url``, ``logo_url``, ``has_logo``
        (false while the company has Odoo's placeholder logo: show the
        product name instead), ``company_name``, ``css_variables`` (the
        ``--woow-paas-*`` custom properties of the portal's stylesheet)
        and ``favicon_url``."""
        self.ensure_one()
        color = self.paas_primary_color or DEFAULT_PRIMARY_COLOR
        if not HEX_COLOR_RE.match(color):
            color = DEFAULT_PRIMARY_COLOR
        color = color.lower()
        palette = _brand_palette(color)
        product_name = self.paas_product_name or self.name
        return {
            "product_name": product_name,
            "primary_color": color,
            "primary_text_color": palette["--woow-paas-on-primary"],
            "link_color": palette["--woow-paas-link"],
            "support_email": self.paas_support_email or self.email or "",
            "support_url": self.paas_support_url or "",
            "logo_url": f"/logo.png?company={self.id}",
            "has_logo": not self.uses_default_logo,
            "company_name": self.name,
            "css_variables": "".join(f"{name}: {value}; " for name, value in palette.items()),
            "favicon_url": self._paas_favicon_url(product_name, palette),
        }

    @staticmethod
    def _paas_favicon_url(product_name, palette):
        """A data URL of an SVG icon: the product's initial on the brand
        colour, instead of Odoo's favicon."""
        initial = html_escape((product_name or "?").strip()[:1].upper() or "?")
        svg = (
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>"
            f"<rect width='32' height='32' rx='7' fill='{palette['--woow-paas-primary']}'/>"
            "<text x='16' y='23' font-family='Arial,Helvetica,sans-serif' font-size='20' "
            f"font-weight='700' text-anchor='middle' fill='{palette['--woow-paas-on-primary']}'>"
            f"{initial}</text></svg>"
        )
        return "data:image/svg+xml," + url_quote(svg, safe="")
