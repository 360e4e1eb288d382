"""The customer's API page, /my/api: API keys and OAuth2 clients (webhook
endpoints and their deliveries: ``portal_webhooks.py``).

Records are found as the portal user, under the API layer's record rules
(and only the user's own: a PaaS Manager browsing /my/api sees their own
credentials, not everyone's), so another customer's id answers 404. Changes
then go through the API layer's own methods with the platform's rights, as
the REST API does for customer credentials: portal users have no write
access to these models, which would otherwise let them, over RPC, write
fields such as a key's ``revoked_at`` or ``user_id`` that only those methods
may change.
"""

import re
import secrets
from datetime import datetime, time

from odoo import fields, http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from odoo.addons.woow_paas_api.tools.framework import SCOPES
from odoo.addons.woow_paas_portal.controllers.portal import WoowPaasCustomerPortal

KEY = "woow.paas.api.key"
CLIENT = "woow.paas.oauth.client"
ENDPOINT = "woow.paas.webhook.endpoint"
DELIVERY = "woow.paas.webhook.delivery"
ATTEMPT = "woow.paas.webhook.attempt"
# Rows shown per list on /my/api and per page of a delivery log.
LIST_LIMIT = 80
DELIVERIES_PER_PAGE = 30
# First key of the advisory lock that serialises the submissions of one form.
FORM_LOCK = 0x57_50_41_50  # "WPAP"
NONCE_RE = re.compile(r"\A[A-Za-z0-9_-]{16,64}\Z")
_lt = LazyTranslate(__name__)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Notices passed from a POST to the page it redirects to, by code only (no
# free text in URLs).
NOTICES = {
    "key_revoked": ("success", _lt("The API key is revoked: it no longer authenticates.")),
    "client_deleted": ("success", _lt("The OAuth2 client is deleted and its tokens revoked.")),
    "endpoint_deleted": ("success", _lt("The webhook endpoint is deleted.")),
    "endpoint_saved": ("success", _lt("The webhook endpoint is saved.")),
    "redelivered": ("success", _lt("The delivery is queued: it will be sent again shortly.")),
    "already_pending": ("info", _lt("That delivery is already waiting to be sent.")),
    "test_not_redelivered": ("warning", _lt("A test message is not redelivered: send a new test.")),
    "endpoint_disabled": ("warning", _lt("Enable the endpoint before redelivering.")),
    "already_done": ("info", _lt("That form was already submitted: nothing was done twice.")),
}


class WoowPaasApiPortal(WoowPaasCustomerPortal):
    # ------------------------------------------------------------------
    # Home counter
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "paas_api_count" in counters:
            env, uid = request.env, request.env.uid
            count = 0
            for model, extra in ((KEY, [("revoked_at", "=", False)]), (CLIENT, []),
                                 (ENDPOINT, [])):  # fmt: skip
                if env[model].has_access("read"):
                    count += env[model].search_count([("user_id", "=", uid), *extra])
            values["paas_api_count"] = count
        return values

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _paas_api_own(self, model, record_id):
        """The user's own record ``record_id`` of ``model``, read under the
        user's access, or None (the caller answers 404)."""
        record = request.env[model].browse(record_id).exists()
        if not record or not record.has_access("read"):
            return None
        owner = record.endpoint_id.user_id if model in (DELIVERY, ATTEMPT) else record.user_id
        return record if owner == request.env.user else None

    def _paas_api_values(self, **values):
        result = self._prepare_portal_layout_values()
        result.update(page_name="paas_api", scopes=SCOPES, nonce=secrets.token_urlsafe(24))
        notice = NOTICES.get(request.params.get("notice") or "")
        if notice:
            result["notice"] = (notice[0], str(notice[1]))
        result.update(values)
        return result

    def _paas_api_render(self, template, status=200, headers=None, **values):
        return request.render(
            f"woow_paas_portal_api.{template}",
            self._paas_api_values(**values),
            status=status,
            headers=headers,
        )

    def _paas_form_seen(self, model, column, nonce, record_id=None):
        """Serialise the submissions of one form and tell whether an earlier
        one already did its work (a double click, a refresh, the back button).

        The advisory lock makes a concurrent twin wait for the first to
        commit; the check then reads on a fresh cursor, since this
        transaction's snapshot may predate that commit.
        """
        uid = request.env.uid
        request.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", FORM_LOCK,
                f"{model}:{column}:{uid}:{nonce}")
        )  # fmt: skip
        table = SQL.identifier(request.env[model]._table)
        where = SQL("user_id = %s AND %s = %s", uid, SQL.identifier(column), nonce)
        if record_id:
            where = SQL("%s AND id = %s", where, record_id)
        with request.env.registry.cursor() as cr:
            cr.execute(SQL("SELECT 1 FROM %s WHERE %s LIMIT 1", table, where))
            return bool(cr.fetchone())

    @staticmethod
    def _paas_scopes(form, errors):
        scopes = [s for s in request.httprequest.form.getlist("scopes") if s]
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            errors["scopes"] = request.env._("Unknown scopes: %(bad)s.", bad=", ".join(unknown))
        elif not scopes:
            errors["scopes"] = request.env._("Choose at least one scope.")
        return " ".join(s for s in SCOPES if s in scopes)

    @staticmethod
    def _paas_name(form, errors, field="name", required=True, size=100):
        value = (form.get(field) or "").strip()
        if required and not value:
            errors[field] = request.env._("This field is required.")
        elif len(value) > size:
            errors[field] = request.env._("At most %(size)s characters.", size=size)
        return value

    def _paas_nonce(self, form, errors):
        nonce = form.get("nonce") or ""
        if not NONCE_RE.fullmatch(nonce):
            errors["form"] = request.env._("The form has expired: please submit it again.")
        return nonce

    # ------------------------------------------------------------------
    # Overview
    # ------------------------------------------------------------------
    @http.route("/my/api", type="http", auth="user", website=True, readonly=True)
    def portal_my_paas_api(self, **kw):
        env, domain = request.env, [("user_id", "=", request.env.uid)]
        values = {}
        for name, model in (("keys", KEY), ("clients", CLIENT), ("endpoints", ENDPOINT)):
            Model = env[model]
            if Model.has_access("read"):
                values[name] = Model.search(domain, limit=LIST_LIMIT)
                values[f"{name}_total"] = (
                    len(values[name])
                    if len(values[name]) < LIST_LIMIT
                    else Model.search_count(domain)
                )
            else:
                values[name], values[f"{name}_total"] = Model, 0
        return self._paas_api_render("portal_my_paas_api", **values)

    # ------------------------------------------------------------------
    # API keys
    # ------------------------------------------------------------------
    @http.route("/my/api/keys/new", type="http", auth="user", website=True,
                methods=["GET", "POST"])  # fmt: skip
    def portal_my_paas_api_key_new(self, **form):
        if request.httprequest.method != "POST":
            return self._paas_api_render("portal_my_paas_api_key_form", form={}, errors={})
        errors = {}
        nonce = self._paas_nonce(form, errors)
        name = self._paas_name(form, errors)
        scopes = self._paas_scopes(form, errors)
        expires_at = False
        if form.get("expires_on"):
            try:
                day = fields.Date.to_date(form["expires_on"])
            except ValueError:
                day = None
            if not day:
                errors["expires_on"] = request.env._("A date such as 2030-12-31.")
            elif day <= fields.Date.context_today(request.env.user):
                errors["expires_on"] = request.env._("The expiry date must be in the future.")
            else:
                # The key works through the whole day it expires on (UTC).
                expires_at = datetime.combine(day, time.max).replace(microsecond=0)
        if not errors and self._paas_form_seen(KEY, "portal_nonce", nonce):
            return request.redirect("/my/api?notice=already_done")
        if not errors:
            try:
                with request.env.cr.savepoint():
                    key = request.env[KEY].sudo().create(
                        {"name": name, "user_id": request.env.uid, "scopes": scopes,
                         "expires_at": expires_at, "portal_nonce": nonce}
                    )  # fmt: skip
                    secret = key.action_generate()["context"]["default_key"]
            except ValidationError as exc:
                errors["scopes"] = exc.args[0]
        if errors:
            return self._paas_api_render(
                "portal_my_paas_api_key_form", status=422, form=form, errors=errors,
                selected_scopes=set(request.httprequest.form.getlist("scopes")),
            )  # fmt: skip
        return self._paas_api_render(
            "portal_my_paas_api_secret", headers=NO_STORE, kind="key", record=key, secret=secret
        )

    @http.route("/my/api/keys/<int:key_id>/revoke", type="http", auth="user", website=True,
                methods=["GET", "POST"])  # fmt: skip
    def portal_my_paas_api_key_revoke(self, key_id, **form):
        key = self._paas_api_own(KEY, key_id)
        if key is None:
            return request.not_found()
        if request.httprequest.method != "POST":
            return self._paas_api_render(
                "portal_my_paas_api_confirm", kind="key_revoke", record=key,
                action=f"/my/api/keys/{key.id}/revoke",
            )  # fmt: skip
        key.sudo().action_revoke()
        return request.redirect("/my/api?notice=key_revoked")

    # ------------------------------------------------------------------
    # OAuth2 clients
    # ------------------------------------------------------------------
    @http.route("/my/api/oauth/new", type="http", auth="user", website=True,
                methods=["GET", "POST"])  # fmt: skip
    def portal_my_paas_api_client_new(self, **form):
        if request.httprequest.method != "POST":
            return self._paas_api_render(
                "portal_my_paas_api_client_form", form={"client_type": "confidential"}, errors={}
            )
        errors = {}
        nonce = self._paas_nonce(form, errors)
        name = self._paas_name(form, errors)
        scopes = self._paas_scopes(form, errors)
        client_type = form.get("client_type")
        if client_type not in ("confidential", "public"):
            errors["client_type"] = request.env._("Choose confidential or public.")
        uris = (form.get("redirect_uris") or "").strip()
        if client_type == "public" and not uris:
            errors["redirect_uris"] = request.env._(
                "A public client signs users in with the authorization code flow: give "
                "its redirect URIs."
            )
        Client = request.env[CLIENT].sudo()
        if "redirect_uris" not in errors and "scopes" not in errors:
            # The API layer's own check of the URIs.
            try:
                probe = Client.new(
                    {"name": name, "scopes": scopes, "redirect_uris": uris,
                     "client_type": client_type or "confidential"}
                )  # fmt: skip
                probe._check_config()
            except ValidationError as exc:
                errors["redirect_uris"] = exc.args[0]
        if not errors and self._paas_form_seen(CLIENT, "portal_nonce", nonce):
            return request.redirect("/my/api?notice=already_done")
        if errors:
            return self._paas_api_render(
                "portal_my_paas_api_client_form", status=422, form=form, errors=errors,
                selected_scopes=set(request.httprequest.form.getlist("scopes")),
            )  # fmt: skip
        client = Client.create(
            {"name": name, "client_type": client_type, "redirect_uris": uris or False,
             "scopes": scopes, "user_id": request.env.uid, "portal_nonce": nonce}
        )  # fmt: skip
        secret = None
        if client.client_type == "confidential":
            secret = client.action_generate_secret()["context"]["default_key"]
        return self._paas_api_render(
            "portal_my_paas_api_secret", headers=NO_STORE, kind="client", record=client,
            secret=secret,
        )  # fmt: skip

    @http.route("/my/api/oauth/<int:client_id>/delete", type="http", auth="user", website=True,
                methods=["GET", "POST"])  # fmt: skip
    def portal_my_paas_api_client_delete(self, client_id, **form):
        client = self._paas_api_own(CLIENT, client_id)
        if client is None:
            return request.not_found()
        if request.httprequest.method != "POST":
            return self._paas_api_render(
                "portal_my_paas_api_confirm", kind="client_delete", record=client,
                action=f"/my/api/oauth/{client.id}/delete",
            )  # fmt: skip
        # Its codes and tokens go with it (ondelete cascade): every grant ends.
        client.sudo().unlink()
        return request.redirect("/my/api?notice=client_deleted")
