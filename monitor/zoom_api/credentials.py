"""The Server-to-Server OAuth app's credentials, from the environment (contracts.md, Zoom API)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..config import ConfigError


@dataclass(frozen=True)
class ZoomCredentials:
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    api_url: str
    oauth_url: str

    @classmethod
    def from_settings(cls, settings) -> ZoomCredentials:
        """Raises ConfigError naming the first variable that is not set."""
        secret = settings.zoom_client_secret
        values = {
            "ZOOM_ACCOUNT_ID": settings.zoom_account_id,
            "ZOOM_CLIENT_ID": settings.zoom_client_id,
            "ZOOM_CLIENT_SECRET": secret.get_secret_value() if secret is not None else None,
        }
        for name, value in values.items():
            if not (value or "").strip():
                raise ConfigError(f"environment variable {name} is not set ([zoom_api] enabled = true)")
        return cls(account_id=values["ZOOM_ACCOUNT_ID"].strip(), client_id=values["ZOOM_CLIENT_ID"].strip(),
                   client_secret=values["ZOOM_CLIENT_SECRET"].strip(), api_url=settings.zoom_api_url.rstrip("/"),
                   oauth_url=settings.zoom_oauth_url)
