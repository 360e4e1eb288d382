"""Helpers of the portal tenant tests that drive a browser into a tenant database."""

import base64
from urllib.parse import urlsplit

import requests


class SigninLinkFollower:
    """For an ``HttpCase``: the browser reaches hosts other than the test
    server through ``fetch_proxy``; a tenant's one-time sign-in link is
    followed for real on the odoo-bin serving the tenant database (by host
    name), then the browser goes back to the tenant page with the user id it
    was signed in as there (``?tour_signed_in=<uid>``). Each followed link is
    recorded in ``self.followed`` as ``(url, status, uid)``.

    A class sets where the tenant's odoo-bin answers in
    :meth:`_signin_target` and which tenant page to go back to in
    :meth:`_signin_back_tenant`."""

    def _signin_target(self, parts):
        """``(base URL, Host header)`` of the odoo-bin serving ``parts``."""
        raise NotImplementedError

    def _signin_back_tenant(self, parts):
        """The tenant whose page the browser goes back to."""
        raise NotImplementedError

    def fetch_proxy(self, url):
        if "/woow_paas_agent/signin" not in url:
            return super().fetch_proxy(url)
        parts = urlsplit(url)
        base, host = self._signin_target(parts)
        headers = {"Host": host}
        session = requests.Session()
        answer = session.get(
            f"{base}{parts.path}?{parts.query}", headers=headers, allow_redirects=False,
            timeout=120,
        )  # fmt: skip
        info = session.post(
            f"{base}/web/session/get_session_info",
            json={"jsonrpc": "2.0", "params": {}},
            headers=headers,
            timeout=120,
        ).json()
        uid = (info.get("result") or {}).get("uid") or 0
        self.followed.append((url, answer.status_code, uid))
        tenant = self._signin_back_tenant(parts)
        back = f"{self.base_url()}/my/tenants/{tenant.id}?tour_signed_in={uid}"
        return {
            "body": base64.b64encode(b"").decode(),
            "responseCode": 303,
            "responseHeaders": [{"name": "Location", "value": back}],
        }
