"""The calls the monitor makes to Zoom's API (contracts.md, Zoom API): they run in RQ jobs, never on the webhook's
path, and may sleep (the shared budget, Zoom's 429s, retries)."""
from __future__ import annotations

import logging
import time
from typing import Callable
from urllib.parse import quote

import httpx
from redis import Redis

from ..alerting.channels.text import reason
from ..clock import wall_clock
from .budget import RequestBudget
from .credentials import ZoomCredentials
from .errors import ZoomApiError
from .retries import Sender
from .token import AccessTokens

log = logging.getLogger(__name__)

MEETING_NOT_FOUND = 3001
USER_NOT_FOUND = 1001
PAGE_SIZE = 300
"""Zoom's largest page of users."""


class ZoomApi:
    """Thread-safe; build it in the process that uses it (its connections are not to be shared with a fork)."""

    def __init__(self, credentials: ZoomCredentials, redis: Redis, *, max_requests_per_second: float,
                 clock: Callable[[], float] = wall_clock, sleep: Callable[[float], None] = time.sleep,
                 timeout: float = 10):
        self.api_url = credentials.api_url.rstrip("/")
        self.http = httpx.Client(timeout=timeout, headers={"Accept": "application/json"})
        budget = RequestBudget(redis, max_requests_per_second, clock, sleep)
        self.sender = Sender(self.http, budget, clock, sleep)
        self.tokens = AccessTokens(credentials, redis, self.sender, clock, sleep)

    def close(self) -> None:
        self.http.close()

    def meeting(self, meeting_id: str) -> dict | None:
        """GET /meetings/{meetingId}; None when Zoom has no such meeting (404, code 3001)."""
        return self._get(f"/meetings/{_segment(meeting_id)}", missing=MEETING_NOT_FOUND)

    def user(self, user: str) -> dict | None:
        """GET /users/{userId or e-mail}; None when the account has no such user (404, code 1001)."""
        return self._get(f"/users/{_segment(user)}", missing=USER_NOT_FOUND)

    def user_settings(self, user: str, option: str | None = None) -> dict | None:
        """GET /users/{user}/settings, or one of its options (``meeting_security``, ``meeting_authentication``);
        None when the account has no such user."""
        params = {"option": option} if option else None
        return self._get(f"/users/{_segment(user)}/settings", params, missing=USER_NOT_FOUND)

    def users(self) -> list[dict]:
        """GET /users: the account's (active) users, every page."""
        found: list[dict] = []
        params: dict[str, str | int] = {"page_size": PAGE_SIZE}
        seen_pages: set[str] = set()
        while True:
            page = self._get("/users", params)
            found.extend(page.get("users") or [])
            following = page.get("next_page_token") or ""
            if not following or following in seen_pages:
                return found
            seen_pages.add(following)
            params = {"page_size": PAGE_SIZE, "next_page_token": following}

    def granted_scopes(self) -> list[str]:
        """The scopes of a token fetched now (for `monitor zoom check`)."""
        return self.tokens.fresh().scope.split()

    def _get(self, path: str, params: dict | None = None, *, missing: int | None = None) -> dict | None:
        label = f"GET {_shown(path)}"
        token = self.tokens.current()
        response = self.sender.send(self._request(path, params, token.value), label)
        if response.status_code == 401:
            log.warning("Zoom %s: HTTP 401: fetching a new access token", label)
            token = self.tokens.renew(refused=token)
            response = self.sender.send(self._request(path, params, token.value), label)
        if response.status_code == 404 and missing is not None and _zoom_code(response) == missing:
            return None
        if not response.is_success:
            code = _zoom_code(response)
            detail = f" code {code}" if code is not None else ""
            log.warning("Zoom %s: HTTP %d%s", label, response.status_code, detail)
            raise ZoomApiError(f"Zoom {label}: HTTP {response.status_code}{detail}: {_message(response)}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            log.warning("Zoom %s: HTTP %d, not a JSON object", label, response.status_code)
            raise ZoomApiError(f"Zoom {label}: HTTP {response.status_code}, the answer is not a JSON object")
        return body

    def _request(self, path: str, params: dict | None, token: str) -> httpx.Request:
        return self.http.build_request("GET", self.api_url + path, params=params,
                                       headers={"Authorization": f"Bearer {token}"})


def _segment(value: str) -> str:
    return quote(str(value), safe="@")


def _shown(path: str) -> str:
    """The path for the log: e-mail addresses (the user asked for) left out."""
    return "/".join("<e-mail>" if "@" in part else part for part in path.split("/"))


def _zoom_code(response: httpx.Response) -> int | None:
    """Zoom's error code: ``{"code": 3001, "message": "Meeting does not exist: ..."}``."""
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None


def _message(response: httpx.Response) -> str:
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    return reason(message if isinstance(message, str) else response.reason_phrase or "")
