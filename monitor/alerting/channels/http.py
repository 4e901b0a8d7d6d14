"""What the HTTP channels share: one verified TLS context, a JSON POST that carries the alert's key, and errors that
name only the receiver's scheme and host (a Teams or Slack webhook's URL is a secret)."""
from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Sequence

import httpx

from ..message import AlertMessage
from .channel import DeliveryError
from .text import reason

# httpx logs every request's full URL at INFO, and these URLs are secrets.
logging.getLogger("httpx").setLevel(logging.WARNING)

TLS = ssl.create_default_context()
"""Verified TLS for the webhooks, made once: making it loads the certificate store (about 0.1 s a delivery when a
worker's freshly forked job made it each time)."""


def encode_json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class HttpChannel:
    """A channel that POSTs one JSON body an alert; each kind says what the body and its own headers are."""

    kind = "webhook"

    def __init__(self, url: str, timeout: float = 10):
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise ValueError(f"{self.kind}: not a valid URL") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(f"{self.kind}: the URL must start with https:// (or http://) and name a host")
        host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
        port = f":{parsed.port}" if parsed.port else ""
        self.origin = f"{parsed.scheme}://{host}{port}"
        self.url, self.timeout = url, timeout
        self._secrets = [url, parsed.raw_path.decode("ascii", "replace"), parsed.path, parsed.query.decode()]

    def request(self, message: AlertMessage) -> tuple[bytes, dict[str, str]]:
        """The body to POST, and the headers of this kind."""
        raise NotImplementedError

    def send(self, message: AlertMessage, recipients: Sequence[str] = ()) -> None:
        """The recipients are ignored: the receiving system (the Teams or Slack channel) decides who sees it."""
        body, headers = self.request(message)
        self._post(message, body, headers)

    def _post(self, message: AlertMessage, body: bytes, headers: dict[str, str]) -> None:
        """Every POST carries the alert's key as Idempotency-Key: a resend of the same alert has the same one."""
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.key, **headers}
        try:
            response = httpx.post(self.url, content=body, timeout=self.timeout, verify=TLS, headers=headers)
        except httpx.HTTPError as exc:
            why = reason(str(exc), self._secrets)
            raise DeliveryError(f"{self.kind} {self.origin}: {type(exc).__name__}: {why}") from None
        if not response.is_success:
            phrase = reason(response.reason_phrase, self._secrets) if response.reason_phrase else ""
            raise DeliveryError(f"{self.kind} {self.origin}: HTTP {response.status_code} {phrase}".rstrip())
