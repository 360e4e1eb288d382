import hashlib
import hmac
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessDenied
from odoo.fields import Command

from .woow_paas_oidc_provider import OidcError

# The one-time token that carries a finished OpenID Connect sign-in into
# Odoo's session.authenticate(): it lives for seconds and serves once.
TOKEN_LIFETIME = timedelta(minutes=2)
CREDENTIAL_TYPE = "woow_paas_oidc"


class ResUsers(models.Model):
    _inherit = "res.users"

    paas_oidc_provider_id = fields.Many2one(
        "woow.paas.oidc.provider", string="OpenID Connect Provider", copy=False,
        ondelete="set null", readonly=True, groups="base.group_system",
    )  # fmt: skip
    paas_oidc_subject = fields.Char(
        string="OpenID Connect Subject", copy=False, readonly=True, index="btree_not_null",
        groups="base.group_system",
        help="The provider's stable identifier of this user (the ID token's sub).",
    )  # fmt: skip
    paas_oidc_token_hash = fields.Char(copy=False, readonly=True, groups="base.group_system")
    paas_oidc_token_expires = fields.Datetime(copy=False, readonly=True, groups="base.group_system")

    _paas_oidc_subject_uniq = models.UniqueIndex(
        "(paas_oidc_provider_id, paas_oidc_subject) WHERE paas_oidc_subject IS NOT NULL"
    )

    @api.model
    def _paas_oidc_signin(self, provider, claims):
        """The login of the user the verified ``claims`` of ``provider``
        designate, and a one-time token to authenticate it; linked by
        subject, else by verified email, else created as a portal user when
        the provider allows sign-up. Raises :class:`OidcError`."""
        Users = self.sudo().with_context(active_test=True)
        subject = str(claims["sub"])
        user = Users.search(
            [("paas_oidc_provider_id", "=", provider.id), ("paas_oidc_subject", "=", subject)]
        )
        if not user:
            email = (claims.get("email") or "").strip().lower()
            if not email:
                raise OidcError("email", "the provider shared no email")
            # Some providers send "true" as a string.
            if claims.get("email_verified") not in (True, "true"):
                raise OidcError("unverified", f"{email} is not verified by the provider")
            user = Users.search(["|", ("login", "=ilike", email), ("email", "=ilike", email)])
            if len(user) > 1:
                raise OidcError("ambiguous", f"several users have the email {email}")
            if not user:
                if not provider.allow_signup:
                    raise OidcError("signup", f"no user has the email {email}")
                user = Users._paas_oidc_create_portal_user(email, claims)
            elif user.paas_oidc_subject and user.paas_oidc_provider_id == provider:
                # The email now names another account of the provider.
                raise OidcError("ambiguous", f"{email} is linked to another account")
            user.write({"paas_oidc_provider_id": provider.id, "paas_oidc_subject": subject})
        token = secrets.token_urlsafe(32)
        user.write({
            "paas_oidc_token_hash": hashlib.sha256(token.encode()).hexdigest(),
            "paas_oidc_token_expires": fields.Datetime.now() + TOKEN_LIFETIME,
        })  # fmt: skip
        return user.login, token

    @api.model
    def _paas_oidc_create_portal_user(self, email, claims):
        name = claims.get("name") or " ".join(
            p for p in (claims.get("given_name"), claims.get("family_name")) if p
        )
        vals = {
            "name": name or email, "login": email, "email": email,
            "group_ids": [Command.set([self.env.ref("base.group_portal").id])],
        }  # fmt: skip
        return self.sudo().with_context(no_reset_password=True).create(vals)

    def _check_credentials(self, credential, env):
        try:
            return super()._check_credentials(credential, env)
        except AccessDenied:
            if credential.get("type") != CREDENTIAL_TYPE or not credential.get("token"):
                raise
            user = self.env.user.sudo()
            stored, expires = user.paas_oidc_token_hash, user.paas_oidc_token_expires
            digest = hashlib.sha256(credential["token"].encode()).hexdigest()
            if not (stored and expires and expires > fields.Datetime.now()
                    and hmac.compare_digest(stored, digest) and user.active):  # fmt: skip
                raise
            user.write({"paas_oidc_token_hash": False, "paas_oidc_token_expires": False})
            return {"uid": user.id, "auth_method": "oidc", "mfa": "default"}
