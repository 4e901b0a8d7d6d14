"""What every channel is: something that sends an AlertMessage to whoever it was made for, or says why not."""
from __future__ import annotations

from typing import Protocol

from ..message import AlertMessage


class DeliveryError(Exception):
    """The channel refused or could not be reached; the message says which and why (no secrets)."""


class Channel(Protocol):
    kind: str
    """What it is, as its errors name it: "e-mail", "Teams webhook", "Slack webhook", "webhook"."""

    def send(self, message: AlertMessage) -> None:
        """Sends the alert to the recipients bound when the channel was made; DeliveryError when it failed."""
