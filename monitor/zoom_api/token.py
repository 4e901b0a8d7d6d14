"""The app's access token, kept in Redis for every process (keys.zoom_api_token).

Zoom's Server-to-Server tokens live an hour and have no refresh token: a new one is fetched RENEW_EARLY seconds
before the old one expires, and at once when the API refuses it (401). One process fetches at a time (a lock in
Redis); the others wait for it and read what it stored.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Callable

import httpx
from redis import Redis

from .. import keys
from ..alerting.channels.text import reason
from .credentials import ZoomCredentials
from .errors import ZoomApiError, ZoomCredentialsError, ZoomUnavailable
from .retries import Sender

log = logging.getLogger(__name__)

RENEW_EARLY = 300
"""Seconds before its expiry that a token is replaced (at most half its life)."""

POLL_SECONDS = 0.05
"""How often a process waiting for another's token looks for it."""

LABEL = "token request"

RELEASE_LUA = """
-- KEYS: the lock. ARGV: its owner. Frees the lock only if this owner still holds it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    scope: str
    renew_at: float
    """When (the monitor's clock) to fetch the next one."""


class AccessTokens:
    def __init__(self, credentials: ZoomCredentials, redis: Redis, sender: Sender, clock: Callable[[], float],
                 sleep: Callable[[float], None]):
        self.credentials, self.redis, self.sender, self.clock, self.sleep = credentials, redis, sender, clock, sleep
        app = hashlib.sha256(f"{credentials.oauth_url} {credentials.account_id} {credentials.client_id}".encode())
        self.key = keys.zoom_api_token(app.hexdigest()[:16])
        self.lock = keys.zoom_api_token_lock(app.hexdigest()[:16])
        self._release = redis.register_script(RELEASE_LUA)

    def current(self) -> AccessToken:
        """The shared token, fetched first if there is none or it is due for renewal."""
        return self._obtain(lambda token: token is not None and self.clock() < token.renew_at)

    def renew(self, refused: AccessToken) -> AccessToken:
        """Another token than the one the API refused: another process's newer one, else a new one from Zoom."""
        return self._obtain(lambda token: (token is not None and token.value != refused.value
                                           and self.clock() < token.renew_at))

    def fresh(self) -> AccessToken:
        """A token fetched from Zoom now (it replaces the shared one)."""
        return self._obtain(lambda token: False)

    def _obtain(self, usable: Callable[[AccessToken | None], bool]) -> AccessToken:
        for _ in range(int(keys.ZOOM_API_TOKEN_LOCK_SECONDS / POLL_SECONDS) + 1):
            stored = self._stored()
            if usable(stored):
                return stored
            owner = secrets.token_hex(8)
            if self.redis.set(self.lock, owner, nx=True, ex=keys.ZOOM_API_TOKEN_LOCK_SECONDS):
                try:
                    stored = self._stored()  # another process may have stored one just before
                    return stored if usable(stored) else self._fetch()
                finally:
                    self._release(keys=[self.lock], args=[owner])
            self.sleep(POLL_SECONDS)
        raise ZoomUnavailable(f"Zoom {LABEL}: another process has been fetching the token for "
                              f"{keys.ZOOM_API_TOKEN_LOCK_SECONDS} s: try later")

    def _stored(self) -> AccessToken | None:
        stored = self.redis.get(self.key)
        if stored is None:
            return None
        fields = json.loads(stored)
        return AccessToken(fields["access_token"], fields["scope"], fields["renew_at"])

    def _fetch(self) -> AccessToken:
        issued = self.clock()
        response = self.sender.send(self._request(), LABEL, budgeted=False)
        if response.is_client_error:
            why = reason(_refusal(response), [self.credentials.client_secret])
            log.warning("Zoom %s: HTTP %d: the app's credentials were refused", LABEL, response.status_code)
            raise ZoomCredentialsError(f"Zoom refused the app's credentials (HTTP {response.status_code}: {why}): "
                                       "check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
        try:
            body = response.json()
            value, scope, lifetime = body["access_token"], body.get("scope", ""), float(body.get("expires_in", 3600))
            if not (isinstance(value, str) and value and isinstance(scope, str) and lifetime > 0):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("Zoom %s: HTTP %d without a token", LABEL, response.status_code)
            raise ZoomApiError(f"Zoom {LABEL}: HTTP {response.status_code} without an access token") from None
        token = AccessToken(value, scope, issued + max(lifetime - RENEW_EARLY, lifetime / 2))
        stored = {"access_token": value, "scope": scope, "renew_at": token.renew_at}
        self.redis.set(self.key, json.dumps(stored), px=int(lifetime * 1000))
        return token

    def _request(self) -> httpx.Request:
        pair = f"{self.credentials.client_id}:{self.credentials.client_secret}".encode()
        return self.sender.http.build_request(
            "POST", self.credentials.oauth_url,
            params={"grant_type": "account_credentials", "account_id": self.credentials.account_id},
            headers={"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")})


def _refusal(response: httpx.Response) -> str:
    """Zoom's reason: ``{"reason": "Invalid client_id or client_secret", "error": "invalid_client"}``."""
    try:
        body = response.json()
        return str(body.get("reason") or body.get("error") or "")
    except (ValueError, AttributeError):
        return ""
