from odoo import models

from .const import BRANDED_MAIL_TEMPLATES


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def send_mail_batch(
        self,
        res_ids,
        force_send=False,
        raise_exception=False,
        email_values=None,
        email_layout_xmlid=False,
    ):
        """Override of ``mail`` to send Odoo's account mails to customers
        (auth_signup's "account created" and portal invitation, which Odoo
        picks by XML id) as their white-label counterparts. Archiving a
        counterpart sends Odoo's own mail again."""
        template = self._paas_branded_counterpart()
        return super(MailTemplate, template).send_mail_batch(
            res_ids,
            force_send=force_send,
            raise_exception=raise_exception,
            email_values=email_values,
            email_layout_xmlid=email_layout_xmlid,
        )

    def _paas_branded_counterpart(self):
        """The PaaS template that replaces this one, or this one."""
        self.ensure_one()
        xmlid = BRANDED_MAIL_TEMPLATES.get(self.sudo().get_external_id().get(self.id))
        counterpart = xmlid and self.env.ref(xmlid, raise_if_not_found=False)
        if counterpart and counterpart.sudo().active and counterpart.model == self.model:
            return counterpart
        return self
