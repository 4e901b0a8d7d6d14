"""Alerts in the database: which incidents wait for their group, each alert, each delivery attempt."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select, update

from ..incidents.models import Incident
from ..db import writing
from ..incidents.store import UPSERTING_INSERTS, IncidentStore
from ..times import iso_utc
from .models import Alert, AlertDelivery, Silence

alerts, deliveries, incidents = Alert.__table__, AlertDelivery.__table__, Incident.__table__
silences = Silence.__table__
SILENCE_MATCHES = ("rule", "meeting_id", "host_email")
SENDING = "sending"
CUT_OFF = "outcome unknown: the worker was stopped while sending; the receiver may have it, and a resend carries the " \
          "same key"


def outcome(ok: bool | None) -> str:
    return {True: "delivered", False: "failed", None: "unknown"}[ok]


class AlertStore:
    def __init__(self, engine: Engine, incidents_store: IncidentStore):
        self.engine = engine
        self.incidents = incidents_store

    def pending(self, meeting_uuid: str) -> list[dict]:
        """The meeting's incidents that no alert has taken yet, oldest first."""
        with self.engine.connect() as conn:
            ids = conn.execute(select(incidents.c.id).where(incidents.c.meeting_uuid == meeting_uuid,
                                                            incidents.c.alert_state == "pending")
                               .order_by(incidents.c.opened_at, incidents.c.id)).scalars().all()
        return [self.incidents.get(i) for i in ids]

    def settle(self, incident_ids: list[int], state: str) -> None:
        with writing(self.engine) as conn:
            conn.execute(update(incidents).where(incidents.c.id.in_(incident_ids), incidents.c.alert_state == "pending")
                         .values(alert_state=state))

    def create(self, key: str, meeting_uuid: str, incident_ids: list[int], channels: list[str], at: datetime,
               kind: str = "first") -> int:
        """The alert for these incidents, made once whatever happens (the key is unique); they are then alerted."""
        with writing(self.engine) as conn:
            insert = UPSERTING_INSERTS[conn.dialect.name](alerts).values(
                key=key, kind=kind, meeting_uuid=meeting_uuid, incident_ids=incident_ids, channels=channels,
                created_at=at)
            conn.execute(insert.on_conflict_do_nothing(index_elements=["key"]))
            conn.execute(update(incidents).where(incidents.c.id.in_(incident_ids)).values(alert_state="alerted"))
            return conn.execute(select(alerts.c.id).where(alerts.c.key == key)).scalar_one()

    def get(self, alert_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        return None if row is None else {"id": row.id, "key": row.key, "kind": row.kind,
                                         "meeting_uuid": row.meeting_uuid,
                                         "incident_ids": row.incident_ids, "channels": row.channels,
                                         "created_at": iso_utc(row.created_at)}

    def begin(self, alert_id: int, channel: str, at: datetime) -> tuple[int, int]:
        """Notes an attempt about to be sent, its result unknown until finish(); returns (its id, its number)."""
        with writing(self.engine) as conn:
            attempt = conn.execute(select(func.count()).select_from(deliveries).where(
                deliveries.c.alert_id == alert_id, deliveries.c.channel == channel)).scalar_one() + 1
            row = conn.execute(deliveries.insert().values(alert_id=alert_id, channel=channel, attempt=attempt, at=at,
                                                          ok=None, detail=SENDING)).inserted_primary_key[0]
        return row, attempt

    def finish(self, attempt_id: int, ok: bool, detail: str | None) -> None:
        with writing(self.engine) as conn:
            conn.execute(update(deliveries).where(deliveries.c.id == attempt_id).values(ok=ok, detail=detail))

    def cut_off(self, alert_id: int, channel: str) -> int:
        """Marks the attempts still "sending" as cut off (their worker was killed mid-send); returns how many."""
        with writing(self.engine) as conn:
            return conn.execute(update(deliveries).where(
                deliveries.c.alert_id == alert_id, deliveries.c.channel == channel, deliveries.c.ok.is_(None),
                deliveries.c.detail == SENDING).values(detail=CUT_OFF)).rowcount

    def delivered(self, alert_id: int, channel: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(deliveries.c.id).where(
                deliveries.c.alert_id == alert_id, deliveries.c.channel == channel, deliveries.c.ok)).first() is not None

    def attempts(self, incident_id: int) -> list[dict]:
        """Every delivery attempt of the alerts that carried an incident, in order. ``ok`` is None (outcome
        "unknown") while an attempt is under way, and for good when its worker was killed mid-send."""
        incident = self.incidents.get(incident_id)
        if incident is None:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(select(deliveries, alerts.c.incident_ids, alerts.c.kind).join(alerts)
                                .where(alerts.c.meeting_uuid == incident["meeting_uuid"])
                                .order_by(deliveries.c.at, deliveries.c.id)).all()
        return [{"alert_id": r.alert_id, "kind": r.kind, "channel": r.channel, "attempt": r.attempt, "at": iso_utc(r.at),
                 "ok": r.ok, "outcome": outcome(r.ok), "detail": r.detail} for r in rows if incident_id in r.incident_ids]

    # --- silences ---

    def silence(self, *, rule: str | None, meeting_id: str | None, host_email: str | None, starts_at: datetime,
                ends_at: datetime, author: str, reason: str, at: datetime) -> dict:
        with writing(self.engine) as conn:
            silence_id = conn.execute(silences.insert().values(
                rule=rule, meeting_id=meeting_id, host_email=host_email, starts_at=starts_at, ends_at=ends_at,
                author=author, reason=reason, created_at=at)).inserted_primary_key[0]
        return self.silences(ids=[silence_id])[0]

    def expire_silence(self, silence_id: int, at: datetime) -> bool:
        """Ends a silence now (it stays on record)."""
        with writing(self.engine) as conn:
            return conn.execute(update(silences).where(silences.c.id == silence_id, silences.c.ends_at > at)
                                .values(ends_at=at)).rowcount == 1

    def silences(self, *, active_at: datetime | None = None, ids: list[int] | None = None) -> list[dict]:
        query = select(silences).order_by(silences.c.id)
        if active_at is not None:
            query = query.where(silences.c.starts_at <= active_at, silences.c.ends_at > active_at)
        if ids is not None:
            query = query.where(silences.c.id.in_(ids))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [{"id": r.id, "rule": r.rule, "meeting_id": r.meeting_id, "host_email": r.host_email,
                 "starts_at": iso_utc(r.starts_at), "ends_at": iso_utc(r.ends_at), "author": r.author,
                 "reason": r.reason, "created_at": iso_utc(r.created_at)} for r in rows]

    def silenced(self, incident: dict, at: datetime) -> bool:
        facts = {"rule": incident["rule"], "meeting_id": incident["meeting_id"], "host_email": incident["host"]["email"]}
        return any(all(s[k] is None or s[k] == facts[k] for k in SILENCE_MATCHES)
                   for s in self.silences(active_at=at))
