"""Settings from the environment: where the servers are, and every secret. Nothing secret lives in a file."""
from pathlib import Path

from pydantic import SecretStr
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

    @property
    def embedded(self) -> bool:
        """No Redis server named: run on the in-process stand-in."""
        return not self.redis_url
