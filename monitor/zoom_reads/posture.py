"""`monitor zoom check`: whether the Zoom app's credentials work and have the scopes the monitor needs, and the
account's posture: each member of staff's own Zoom settings against the protocol's appendix."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..config import SchoolConfig
from ..findings.appendix import Finding, user_findings
from ..zoom_api import ZoomApi

SCOPES = {
    "user:read:user:admin": "user:read:admin",
    "user:read:list_users:admin": "user:read:admin",
    "user:read:settings:admin": "user:read:admin",
    "meeting:read:meeting:admin": "meeting:read:admin",
}
"""Each granular scope the monitor needs (contracts.md), and the classic scope that grants it too. Nothing more."""


def missing_scopes(granted: Iterable[str]) -> list[str]:
    granted = set(granted)
    return [scope for scope, classic in SCOPES.items() if scope not in granted and classic not in granted]


@dataclass(frozen=True)
class Posture:
    email: str
    name: str
    findings: tuple[Finding, ...] | None
    """None: no Zoom account."""


def posture(api: ZoomApi, config: SchoolConfig) -> list[Posture]:
    """Every member of the staff directory, their settings read now, in the directory's order."""
    rows = []
    for member in config.staff.by_email.values():
        settings = api.user_settings(member.email)
        found = None if settings is None else tuple(user_findings(
            settings, api.user_settings(member.email, "meeting_security"),
            api.user_settings(member.email, "meeting_authentication"), config.rules.recording_source))
        rows.append(Posture(member.email, member.name or member.email, found))
    return rows


def posture_table(rows: list[Posture], settings: Iterable[str]) -> str:
    """Teachers by settings: "ok", or what Zoom says where it differs from the protocol, "-" without an account;
    the columns are numbered, with a key below."""
    columns = list(settings)
    header = ["member of staff", *(str(n) for n in range(1, len(columns) + 1))]
    body = []
    for row in rows:
        actual = {f.setting: f.actual for f in row.findings or ()}
        cells = ["-" if row.findings is None else (actual[c] if c in actual else "ok") for c in columns]
        body.append([f"{row.name} <{row.email}>", *cells])
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in [header, *body]]
    key = [f"{n:>3}  {setting}" for n, setting in enumerate(columns, start=1)]
    return "\n".join(lines + ["", "Settings (\"ok\": as the protocol asks; otherwise what Zoom says; -: no Zoom "
                                   "account):", *key])
