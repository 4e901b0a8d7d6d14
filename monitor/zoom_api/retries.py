"""One request to Zoom, tried again while Zoom asks to wait (429) or does not answer (5xx, network, timeout).

Every failed try is one warning in the log, naming the request by its method and path (no query, no e-mail
address) and what happens next; a success logs nothing.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable

import httpx

from ..metrics.instruments import zoom_api_request
from .budget import RequestBudget
from .errors import ZoomUnavailable

log = logging.getLogger(__name__)

# httpx logs every request's full URL at INFO, and the token request's names the account.
logging.getLogger("httpx").setLevel(logging.WARNING)

BACKOFF = (0.5, 1.0, 2.0)
"""Seconds before each retry after a 5xx, a network error or a timeout; then ZoomUnavailable."""

RATE_LIMITED_RETRIES = 4
"""Retries after a 429; the next 429 gives up."""

LONGEST_WAIT = 60.0
"""A 429 asking for a longer wait (Zoom's daily limit, say) gives up at once."""

WAIT_WITHOUT_RETRY_AFTER = 1.0

ENDPOINTS = ((re.compile(r"/meetings/[^/]+$"), "meeting"), (re.compile(r"/users/[^/]+/settings$"), "user_settings"),
             (re.compile(r"/users/[^/]+$"), "user"), (re.compile(r"/users$"), "users"),
             (re.compile(r"/oauth/token$"), "token"))
"""The endpoints the monitor calls, as the metrics name them: never a meeting id or an e-mail."""


def endpoint(request: httpx.Request) -> str:
    path = request.url.path
    return next((name for pattern, name in ENDPOINTS if pattern.search(path)), "other")


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds, an HTTP date or an ISO 8601 time."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now)


class Sender:
    def __init__(self, http: httpx.Client, budget: RequestBudget, clock: Callable[[], float],
                 sleep: Callable[[float], None]):
        self.http, self.budget, self.clock, self.sleep = http, budget, clock, sleep

    def send(self, request: httpx.Request, label: str, *, budgeted: bool = True) -> httpx.Response:
        """Zoom's answer, neither 429 nor 5xx; raises ZoomUnavailable when the tries run out. ``budgeted``: the
        request waits its turn in the shared budget (the API's requests; not the token's)."""
        backoff = iter(BACKOFF)
        rate_limited = 0
        while True:
            if budgeted:
                self.budget.wait_turn()
            try:
                response = self.http.send(request)
            except httpx.TransportError as exc:
                zoom_api_request(endpoint(request), "error")
                self._back_off(label, type(exc).__name__, next(backoff, None))
                continue
            zoom_api_request(endpoint(request), response.status_code)
            if response.status_code >= 500:
                self._back_off(label, f"HTTP {response.status_code}", next(backoff, None))
                continue
            if response.status_code != 429:
                return response
            rate_limited += 1
            wait = retry_after(response.headers.get("Retry-After"), self.clock())
            wait = WAIT_WITHOUT_RETRY_AFTER if wait is None else wait
            if wait > LONGEST_WAIT or rate_limited > RATE_LIMITED_RETRIES:
                why = f"asked to wait {wait:g} s" if wait > LONGEST_WAIT else f"{rate_limited} times in a row"
                log.warning("Zoom %s: HTTP 429, %s: giving up", label, why)
                raise ZoomUnavailable(f"Zoom {label}: rate limited (HTTP 429, {why}): try later")
            log.warning("Zoom %s: HTTP 429, waiting %g s", label, wait)
            if budgeted:
                self.budget.hold(wait)
            self.sleep(wait)

    def _back_off(self, label: str, problem: str, wait: float | None) -> None:
        if wait is None:
            log.warning("Zoom %s: %s: giving up after %d tries", label, problem, len(BACKOFF) + 1)
            raise ZoomUnavailable(f"Zoom {label}: {problem} after {len(BACKOFF) + 1} tries: try later")
        log.warning("Zoom %s: %s, retrying in %g s", label, problem, wait)
        self.sleep(wait)
