"""What the web app and the workers share: configuration, secrets, Redis, the database, the pipeline, the clock."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from redis import Redis
from sqlalchemy import Engine

from .clock import Clock, wall_clock
from .config import SchoolConfig
from .pipeline import Pipeline


@dataclass
class Services:
    config: SchoolConfig
    redis: Redis
    database: Engine
    webhook_secret: str
    api_token: str
    clock: Clock = wall_clock
    pipeline: Pipeline = field(init=False)

    def __post_init__(self) -> None:
        self.pipeline = Pipeline(self.config, self.redis, self.clock)


def services() -> Services:
    return current_app.extensions["monitor"]
