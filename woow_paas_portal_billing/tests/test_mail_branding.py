from odoo import Command
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestMailBranding(TransactionCase):
    def test_billing_mails_carry_the_white_label(self):
        """Billing's reminder mails end with the white label's product name
        and support contact (core's seam, filled by the portal)."""
        company = self.env.company
        company.write(
            {
                "paas_product_name": "Acme Cloud",
                "paas_support_email": "help@acme.example.com",
                "paas_support_url": "https://help.acme.example.com",
            }
        )
        partner = self.env["res.partner"].create({"name": "Branded Customer"})
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [
                    Command.create({"name": "Plan", "quantity": 1, "price_unit": 30.0})
                ],
            }
        )
        template = self.env.ref("woow_paas_billing.mail_template_paas_payment_failed")
        body = str(template._render_field("body_html", move.ids)[move.id])
        self.assertIn("Acme Cloud · Help: help@acme.example.com · https://help.acme", body)
        # Without a white label, the company's name (and email, if any).
        company.write({"paas_product_name": False, "paas_support_url": False})
        body = str(template._render_field("body_html", move.ids)[move.id])
        self.assertIn(f"{company.name} · Help: help@acme.example.com", body)
