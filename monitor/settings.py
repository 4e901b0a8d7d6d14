"""Settings from the environment: where the servers are, and every secret. Nothing secret lives in a file."""
from pathlib import Path

from pydantic import PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    zoom_webhook_secret_token: SecretStr | None = None
    monitor_api_token: SecretStr | None = None
    monitor_secret_key: SecretStr | None = None
    """Signs the incident queue's session cookies."""
    monitor_config: Path = Path("config/monitor.toml")
    monitor_data_dir: Path = Path("data")
    redis_url: str | None = None
    database_url: str | None = None
    zoom_account_id: str | None = None
    """The school's Zoom account, for its Server-to-Server OAuth app (needed when [zoom_api] enabled = true)."""
    zoom_client_id: str | None = None
    zoom_client_secret: SecretStr | None = None
    zoom_api_url: str = "https://api.zoom.us/v2"
    zoom_oauth_url: str = "https://zoom.us/oauth/token"
    monitor_metrics_address: str | None = None
    """HOST:PORT where /metrics is served without a token (by gunicorn's master, `monitor serve`, `monitor worker`);
    unset: the web app serves it behind the API's bearer token."""
    monitor_worker_heartbeat_seconds: PositiveInt = 5
    """How often a worker tells Redis that it and its job are alive."""
    monitor_worker_heartbeat_grace_seconds: PositiveInt = 60
    """How long a job's heartbeat lasts past the last one: then RQ takes the job as abandoned (RQ's own 60 s)."""
    monitor_worker_maintenance_seconds: PositiveInt = 15
    """How often a worker cleans up, idle or not: abandoned jobs are retried then."""

    @property
    def embedded(self) -> bool:
        """No Redis server named: run on the in-process stand-in."""
        return not self.redis_url
