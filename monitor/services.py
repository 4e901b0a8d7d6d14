"""What the web app and the workers share: configuration, secrets, Redis, the database, the pipeline, the clock."""
from __future__ import annotations

from dataclasses import dataclass, field

from redis import Redis
from sqlalchemy import Engine

from .accounts.store import AccountStore
from .alerting.service import Alerting
from .alerting.store import AlertStore
from .background import RQNotifier
from .checks.runner import Notifier
from .clock import Clock, wall_clock
from .config import SchoolConfig
from .digest.service import DigestService
from .findings.store import FindingStore
from .incidents import IncidentStore
from .incidents.triage import Triage
from .pipeline import Pipeline
from .zoom_api import ZoomApi
from .zoom_reads.reading import SettingsReader
from .zoom_reads.triggers import ZoomReads


@dataclass
class Services:
    config: SchoolConfig
    redis: Redis
    database: Engine
    webhook_secret: str
    api_token: str
    clock: Clock = wall_clock
    secret_key: str = ""
    """Signs session cookies (MONITOR_SECRET_KEY)."""
    secure_cookies: bool = True
    """Session cookies only over HTTPS: off only for a local run on embedded defaults."""
    notifier: Notifier | None = None
    """Where opened incidents and check deadlines go; by default RQ jobs on ``redis``."""
    zoom: ZoomApi | None = None
    """Zoom's API, when the school connects it ([zoom_api] enabled)."""
    metrics_address: str | None = None
    """MONITOR_METRICS_ADDRESS: /metrics is served there, not by the web app."""
    incidents: IncidentStore = field(init=False)
    alerts: AlertStore = field(init=False)
    alerting: Alerting = field(init=False)
    accounts: AccountStore = field(init=False)
    triage: Triage = field(init=False)
    pipeline: Pipeline = field(init=False)
    digests: DigestService = field(init=False)
    findings: FindingStore = field(init=False)
    reader: SettingsReader | None = field(init=False)
    """Reads settings through Zoom's API (None when it is not connected)."""

    def __post_init__(self) -> None:
        self.incidents = IncidentStore(self.database)
        self.alerts = AlertStore(self.database)
        self.alerting = Alerting(self.config, self.alerts, self.redis, self.clock)
        self.accounts = AccountStore(self.database)
        self.triage = Triage(self.database)
        if self.notifier is None:
            self.notifier = RQNotifier(self.redis, self.incidents, self.clock)
        self.pipeline = Pipeline.on_redis(self.config, self.redis, self.clock, self.incidents, self.notifier)
        self.digests = DigestService(self.config, self.database, self.clock)
        self.findings = FindingStore(self.database)
        self.reader = None
        if self.zoom is not None:
            self.pipeline.zoom_reads = ZoomReads(self.redis, self.clock)
            self.reader = SettingsReader(self.config, self.zoom, self.findings, self.redis, self.pipeline, self.clock)
