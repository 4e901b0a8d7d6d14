"""The school's configuration: a TOML file and the staff directory CSV it names, validated once at start-up.

Anything wrong raises ConfigError with one message that names the file and the key or line.
"""
from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .rule_ids import RULE_IDS

DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"^[^@\s]+@{DOMAIN_LABEL}(?:\.{DOMAIN_LABEL})+$")
DOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


def normalise_email(value: str) -> str:
    return value.strip().lower()


def _email(value: str) -> str:
    value = normalise_email(value)
    if not EMAIL_RE.match(value):
        raise ValueError(f"not an e-mail address: {value!r}")
    return value


def _domain(value: str) -> str:
    value = value.strip().lower()
    if not DOMAIN_RE.match(value):
        raise ValueError(f"not a domain name: {value!r}")
    return value


def normalise_meeting_id(value: object) -> str:
    """Zoom sends meeting ids as strings or numbers; people write them with spaces."""
    return "".join(str(value).split())


Email = Annotated[str, AfterValidator(_email)]
Domain = Annotated[str, AfterValidator(_domain)]
MeetingId = Annotated[str, AfterValidator(normalise_meeting_id)]
Seconds = Annotated[int, Field(ge=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


DAY_DIRECTIVES = "aAwdbBmyYjUWuVGe"
TIME_DIRECTIVES = "HIpMSfzZ"
STRFTIME_DIRECTIVE = re.compile(r"%(-?)(.?)", re.S)


def _strftime_format(value: str, allowed: str, example: str) -> str:
    """A strftime format with at least one directive, each one of ``allowed`` (``%-d``: without padding)."""
    letters = [(flag, letter) for flag, letter in STRFTIME_DIRECTIVE.findall(value) if (flag, letter) != ("", "%")]
    for flag, letter in letters:
        if not letter:
            raise ValueError(f"{value!r} ends in '%{flag}': write '%%' for a percent sign")
        if letter not in allowed:
            raise ValueError(f"'%{flag}{letter}' is not allowed here (allowed: {' '.join('%' + a for a in allowed)}), "
                             f"e.g. {example!r}")
    if not letters:
        raise ValueError(f"{value!r} has no date directive: a strftime format, e.g. {example!r}")
    return value


DEFAULT_DATE_FORMAT = "%a %-d %b %Y, %H:%M"
DEFAULT_DAY_FORMAT = "%a %-d %b %Y"


class SchoolSection(_Section):
    name: str = "School"
    timezone: str = "Europe/London"
    domains: list[Domain] = Field(min_length=1)
    pupil_domains: list[Domain] | None = None
    date_format: str = DEFAULT_DATE_FORMAT
    """How the staff's pages show a moment (strftime, in ``timezone``): "Tue 1 Dec 2026, 09:02"."""
    day_format: str = DEFAULT_DAY_FORMAT
    """How they show a day, such as a due date (date directives only): "Wed 2 Dec 2026"."""

    @field_validator("date_format")
    @classmethod
    def _moment_format(cls, value: str) -> str:
        return _strftime_format(value, DAY_DIRECTIVES + TIME_DIRECTIVES, DEFAULT_DATE_FORMAT)

    @field_validator("day_format")
    @classmethod
    def _day_format(cls, value: str) -> str:
        return _strftime_format(value, DAY_DIRECTIVES, DEFAULT_DAY_FORMAT)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone: {value!r}") from None
        return value

    @model_validator(mode="after")
    def _pupil_domains_are_school_domains(self) -> "SchoolSection":
        outside = sorted(set(self.pupil_domains or ()) - set(self.domains))
        if outside:
            raise ValueError(f"pupil_domains must be among domains; not in domains: {', '.join(outside)}")
        return self


class DirectorySection(_Section):
    staff_csv: str


class ExemptionsSection(_Section):
    one_to_one_hosts: list[Email] = []
    one_to_one_meetings: list[MeetingId] = []
    allowed_guests: list[Email] = []


Severity = Literal["high", "medium", "low"]
CLOCK_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _clock_time(value: str) -> str:
    if not CLOCK_TIME_RE.match(value):
        raise ValueError(f"not a time of day as HH:MM (00:00 to 23:59): {value!r}")
    return value


ClockTime = Annotated[str, AfterValidator(_clock_time)]
Weekday = Annotated[int, Field(ge=1, le=7)]
"""ISO weekday, Monday = 1."""


class RulesSection(_Section):
    one_to_one_grace_seconds: Seconds = 120
    recording_grace_seconds: Seconds = 120
    host_grace_seconds: Seconds = 120
    recording_source: Literal["cloud", "off"] = "cloud"
    unsupervised_grace_seconds: Seconds = 120
    out_of_hours_grace_seconds: Seconds = 300
    lesson_hours: tuple[ClockTime, ClockTime] = ("07:00", "18:00")
    """School time; a pupil present outside them is out of hours."""
    lesson_days: list[Weekday] = [1, 2, 3, 4, 5]
    staff_may_share: bool = True
    """False: a member of staff sharing their screen is a breach too."""
    disabled: list[str] = []
    """Rule ids turned off."""
    severity: dict[str, Severity] = {}
    """A rule's severity where the school's protocol differs, e.g. { chat_in_lesson = "low" }."""

    @field_validator("lesson_hours")
    @classmethod
    def _start_before_end(cls, value: tuple[str, str]) -> tuple[str, str]:
        if value[0] >= value[1]:
            raise ValueError(f"the first time must be earlier than the second: {list(value)}")
        return value

    @field_validator("disabled")
    @classmethod
    def _known_rules(cls, value: list[str]) -> list[str]:
        _check_rule_ids(value)
        return value

    @field_validator("severity")
    @classmethod
    def _known_rule_severities(cls, value: dict[str, str]) -> dict[str, str]:
        _check_rule_ids(value)
        return value


def _check_rule_ids(ids) -> None:
    unknown = [rule for rule in ids if rule not in RULE_IDS]
    if unknown:
        raise ValueError(f"unknown rule id {unknown[0]!r} (rule ids: {', '.join(RULE_IDS)})")


class WebhookSection(_Section):
    timestamp_tolerance_seconds: Annotated[int, Field(ge=300, le=12 * 3600)] = 3 * 3600
    """How old a delivery's x-zm-request-timestamp may be. Zoom's last retry comes 85 minutes after the first
    attempt and may keep the first attempt's timestamp, so the default is well past that. At most 12 hours, so
    that deliveries are remembered (for deduplication) longer than they are accepted."""
    max_body_bytes: Annotated[int, Field(ge=1024)] = 256 * 1024


EnvName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]


class ChannelSection(_Section):
    """Where alerts go. Secrets (webhook URLs, the signing secret, the SMTP password) come from the environment
    variables named here; e-mail goes through the SMTP server in SMTP_* variables."""

    type: Literal["email", "teams", "slack", "webhook"]
    to: list[Email] = []
    url_env: EnvName | None = None
    secret_env: EnvName | None = None

    @model_validator(mode="after")
    def _complete(self) -> "ChannelSection":
        if self.type == "email" and not self.to:
            raise ValueError("an email channel needs 'to'")
        if self.type != "email" and not self.url_env:
            raise ValueError(f"a {self.type} channel needs 'url_env', the environment variable holding its URL")
        if self.type == "webhook" and not self.secret_env:
            raise ValueError("a webhook channel needs 'secret_env', the environment variable holding its secret")
        return self


class RouteSection(_Section):
    rules: list[str] = ["*"]
    severities: list[Severity] = ["high", "medium", "low"]
    channels: list[str] = Field(min_length=1)
    out_of_hours: list[str] | None = None
    """Channels outside working hours (e.g. an on-call deputy); by default the same channels."""
    escalate_to: list[str] = []
    """Channels told when an alert is still unacknowledged after escalate_after_minutes."""


class AlertsSection(_Section):
    base_url: str = "http://127.0.0.1:8000"
    """Where staff open the monitor: alerts link to incidents there."""
    group_wait_seconds: Annotated[int, Field(ge=0)] = 30
    repeat_minutes: Annotated[float, Field(ge=0)] = 60
    """Send an unacknowledged alert again this often (0: never)."""
    escalate_after_minutes: Annotated[float, Field(ge=0)] = 15
    """Tell the routes' escalate_to channels when an alert is unacknowledged this long (0: never)."""
    working_hours: tuple[ClockTime, ClockTime] = ("07:00", "18:00")
    working_days: list[Weekday] = [1, 2, 3, 4, 5]
    channels: dict[str, ChannelSection] = {}
    routes: list[RouteSection] = []

    @model_validator(mode="after")
    def _routes_name_channels(self) -> "AlertsSection":
        for route in self.routes:
            for name in route.channels + (route.out_of_hours or []) + route.escalate_to:
                if name not in self.channels:
                    raise ValueError(f"route names channel {name!r}, which [alerts.channels] does not define")
        return self


class DigestSection(_Section):
    """The weekly summary for the safeguarding lead, the DSL and the headteacher (README, Weekly digest)."""

    recipients: list[Email] = []
    """Who gets it by e-mail (through the SMTP server in SMTP_* variables); without any it is still made and kept."""
    weekday: Annotated[int, Field(ge=1, le=7)] = 1
    """ISO weekday it is sent on (Monday = 1), for the week that ended before it; in [school] timezone."""
    hour: Annotated[int, Field(ge=0, le=23)] = 7
    """Hour of the day it is sent at, in [school] timezone."""
    overdue_days: Annotated[int, Field(ge=1)] = 7
    """An open incident without a due date is overdue once it has been open this many days."""


class WebSection(_Section):
    """The staff's pages."""

    trusted_proxies: Annotated[int, Field(ge=0, le=5)] = 0
    """How many reverse proxies in front of the monitor append to X-Forwarded-For (and set X-Forwarded-Proto):
    the client's address is taken that many entries from the right. 0: the header is ignored."""


class ZoomApiSection(_Section):
    """Zoom's API, through a Server-to-Server OAuth app of the school's account (contracts.md, Zoom API): lesson and
    teacher settings read before lessons, and unknown hosts named. Its secrets come from the environment."""

    enabled: bool = False
    max_requests_per_second: Annotated[float, Field(gt=0, le=100)] = 5
    """Across every process of the monitor: Zoom's limits are the account's, shared with its other apps."""
    notify_hosts: bool = False
    """E-mail a teacher when their scheduled lesson's settings break the protocol (once per set of findings)."""


Days = Annotated[int, Field(ge=1, le=36500)]


class RetentionSection(_Section):
    """How long the monitor keeps what it records (README, Retention): a daily job applies it, at 02:30 school
    time, and says what it did in the audit log."""

    lessons_days: Annotated[int, Field(ge=42, le=36500)] = 365
    """A lesson's record (meeting, host, times, how many pupils) is deleted this long after the lesson began. At
    least six weeks: the weekly digest's trend reads the lessons of the five weeks before its Monday."""
    delivery_attempts_days: Days = 365
    """Each attempt to deliver an alert (channel, time, result) is deleted this long after it was made."""
    set_aside_checks_days: Days = 365
    """A check set aside ("Could not be checked") is deleted this long after it was set aside."""
    findings_days: Days = 365
    """A Zoom settings finding is deleted this long after it was resolved; open ones are kept."""
    evidence_years: Annotated[int, Field(ge=1, le=100)] = 21
    """A closed incident keeps its pupils' e-mails and names this long after it was closed; then each pupil in its
    evidence becomes "a pupil", counted by class. Its decision, rationale, notes and audit log are kept."""
    hold: bool = False
    """True: nothing is deleted or reduced (a legal hold, e.g. while an inquiry asks schools to keep records)."""


class ConfigFile(_Section):
    school: SchoolSection
    directory: DirectorySection
    exemptions: ExemptionsSection = ExemptionsSection()
    rules: RulesSection = RulesSection()
    webhook: WebhookSection = WebhookSection()
    alerts: AlertsSection = AlertsSection()
    digest: DigestSection = DigestSection()
    web: WebSection = WebSection()
    zoom_api: ZoomApiSection = ZoomApiSection()
    retention: RetentionSection = RetentionSection()


@dataclass(frozen=True)
class StaffMember:
    email: str
    name: str
    role: str
    zoom_user_id: str | None

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"


@dataclass(frozen=True)
class StaffDirectory:
    by_email: dict[str, StaffMember]
    by_zoom_user_id: dict[str, StaffMember]

    def find(self, email: str | None = None, zoom_user_id: str | None = None) -> StaffMember | None:
        """Matched by Zoom user id where the directory lists one, else by e-mail."""
        if zoom_user_id and zoom_user_id in self.by_zoom_user_id:
            return self.by_zoom_user_id[zoom_user_id]
        if email:
            return self.by_email.get(normalise_email(email))
        return None


@dataclass(frozen=True)
class SchoolConfig:
    path: Path
    school: SchoolSection
    exemptions: ExemptionsSection
    rules: RulesSection
    webhook: WebhookSection
    alerts: AlertsSection
    staff: StaffDirectory
    digest: DigestSection = DigestSection()
    web: WebSection = WebSection()
    zoom_api: ZoomApiSection = ZoomApiSection()
    retention: RetentionSection = RetentionSection()


STAFF_COLUMNS = ("email", "name", "role", "zoom_user_id")


def load_staff_csv(path: Path) -> StaffDirectory:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the staff directory: {exc.strerror}") from None
    by_email: dict[str, StaffMember] = {}
    by_zoom: dict[str, StaffMember] = {}
    with handle:
        reader = csv.DictReader(handle)
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
        if "email" not in header:
            raise ConfigError(f"{path} line 1: the staff directory needs an 'email' column "
                              f"(columns: {', '.join(STAFF_COLUMNS)})")
        unknown = [name for name in header if name not in STAFF_COLUMNS]
        if unknown:
            raise ConfigError(f"{path} line 1: unknown column {unknown[0]!r} (columns: {', '.join(STAFF_COLUMNS)})")
        if "role" not in header:
            raise ConfigError(f"{path} line 1: the staff directory needs a 'role' column")
        reader.fieldnames = header
        for row in reader:
            line = reader.line_num
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue
            if None in row:
                raise ConfigError(f"{path} line {line}: more fields than columns")
            email = normalise_email(row.get("email") or "")
            if not EMAIL_RE.match(email):
                raise ConfigError(f"{path} line {line}: not an e-mail address: {email!r}")
            role = (row.get("role") or "").strip().lower()
            if not role:
                raise ConfigError(f"{path} line {line}: role is empty")
            zoom_user_id = (row.get("zoom_user_id") or "").strip() or None
            if email in by_email:
                raise ConfigError(f"{path} line {line}: {email!r} is listed twice")
            if zoom_user_id and zoom_user_id in by_zoom:
                raise ConfigError(f"{path} line {line}: zoom_user_id {zoom_user_id!r} is listed twice")
            member = StaffMember(email, (row.get("name") or "").strip(), role, zoom_user_id)
            by_email[email] = member
            if zoom_user_id:
                by_zoom[zoom_user_id] = member
    return StaffDirectory(by_email, by_zoom)


def _describe(error: dict) -> str:
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {where!r}"
    if error["type"] == "missing":
        return f"missing key {where!r}"
    message = error["msg"].removeprefix("Value error, ")
    return f"key {where!r}: {message}"


def load_config(path: str | Path) -> SchoolConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        parsed = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc.errors()[0])}") from None
    staff = load_staff_csv(path.parent / parsed.directory.staff_csv)
    return SchoolConfig(path, parsed.school, parsed.exemptions, parsed.rules, parsed.webhook, parsed.alerts, staff,
                        parsed.digest, parsed.web, parsed.zoom_api, parsed.retention)
