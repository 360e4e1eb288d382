from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from .const import HEX_COLOR_RE


def _readable_text_color(hex_color):
    """Black or white, whichever contrasts more with ``hex_color`` (WCAG
    relative luminance), so that any brand colour keeps buttons readable."""

    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(hex_color[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    # Contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05.
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000000"


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
        default="#1f6feb",
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
        templates: ``product_name``, ``primary_color``, ``support_email``,
        ``support_url``, ``logo_url``, ``company_name``."""
        self.ensure_one()
        color = self.paas_primary_color or "#1f6feb"
        return {
            "product_name": self.paas_product_name or self.name,
            "primary_color": color,
            "primary_text_color": _readable_text_color(color),
            "support_email": self.paas_support_email or self.email or "",
            "support_url": self.paas_support_url or "",
            "logo_url": f"/logo.png?company={self.id}",
            "company_name": self.name,
        }
