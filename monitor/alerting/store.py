"""Alerts in the database: which incidents wait for their group, each alert, each delivery attempt, the silences.
Every read is one query, however many incidents it covers."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy import Engine, func, select, update

from ..db import writing
from ..incidents.models import Incident, IncidentOccurrence
from ..incidents.store import UPSERTING_INSERTS
from .models import Alert, AlertDelivery, AlertIncidentLink, Silence
from .records import AlertIncident, AlertRecord, DeliveryAttempt, SilenceRecord

alert_table, delivery_table, silence_table = Alert.__table__, AlertDelivery.__table__, Silence.__table__
link_table = AlertIncidentLink.__table__
incident_table, occurrence_table = Incident.__table__, IncidentOccurrence.__table__
INCIDENT_COLUMNS = [incident_table.c[field.name] for field in fields(AlertIncident)]
SENDING = "sending"
CUT_OFF = "outcome unknown: the worker was stopped while sending; the receiver may have it, and a resend carries the " \
          "same key"


class AlertStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    # --- the incidents, as alerting sees them ---

    def pending(self, meeting_uuid: str) -> list[AlertIncident]:
        """The meeting's incidents that no alert has taken yet, oldest first."""
        return self._incidents(incident_table.c.meeting_uuid == meeting_uuid, incident_table.c.alert_state == "pending")

    def pending_elsewhere(self, rule: str, meeting_uuid: str) -> list[AlertIncident]:
        """The incidents of this rule in other meetings that no alert has taken yet, oldest first."""
        return self._incidents(incident_table.c.rule == rule, incident_table.c.meeting_uuid != meeting_uuid,
                               incident_table.c.alert_state == "pending")

    def incidents(self, ids: Sequence[int]) -> list[AlertIncident]:
        """These incidents, in this order; an id that names none is left out."""
        found = {incident.id: incident for incident in self._incidents(incident_table.c.id.in_(ids))}
        return [found[i] for i in ids if i in found]

    def alert_stands(self, meeting_uuid: str, rules: Collection[str]) -> bool:
        """Whether an incident of the meeting under one of these rules is alerted and has not cleared."""
        with self.engine.connect() as conn:
            return conn.execute(select(incident_table.c.id).where(
                incident_table.c.meeting_uuid == meeting_uuid, incident_table.c.rule.in_(list(rules)),
                incident_table.c.alert_state == "alerted", incident_table.c.cleared_at.is_(None)).limit(1)).first() \
                is not None

    def settle(self, incident_ids: Sequence[int], state: str) -> None:
        with writing(self.engine) as conn:
            conn.execute(update(incident_table).where(incident_table.c.id.in_(incident_ids),
                                                      incident_table.c.alert_state == "pending")
                         .values(alert_state=state))

    def _incidents(self, *where) -> list[AlertIncident]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(*INCIDENT_COLUMNS).where(*where)
                                .order_by(incident_table.c.opened_at, incident_table.c.id)).all()
        return [AlertIncident(**row._mapping) for row in rows]

    # --- alerts and their delivery attempts ---

    def create(self, key: str, incident_ids: Sequence[int], channels: Sequence[str], at: datetime,
               kind: str = "first", follows: int | None = None, round_: int = 0) -> int:
        """The alert for these incidents, made once whatever happens (the key is unique); they are then alerted."""
        with writing(self.engine) as conn:
            insert = UPSERTING_INSERTS[conn.dialect.name](alert_table).values(
                key=key, kind=kind, follows=follows, round=round_, channels=list(channels), created_at=at)
            alert_id = conn.execute(insert.on_conflict_do_nothing(index_elements=["key"])
                                    .returning(alert_table.c.id)).scalar()
            if alert_id is None:  # made before
                return conn.execute(select(alert_table.c.id).where(alert_table.c.key == key)).scalar_one()
            if incident_ids:
                conn.execute(link_table.insert(), [{"alert_id": alert_id, "incident_id": incident_id, "position": n}
                                                   for n, incident_id in enumerate(incident_ids)])
            conn.execute(update(incident_table).where(incident_table.c.id.in_(incident_ids))
                         .values(alert_state="alerted"))
            return alert_id

    def get(self, alert_id: int) -> AlertRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alert_table).where(alert_table.c.id == alert_id)).first()
            carried = conn.execute(select(link_table.c.incident_id).where(link_table.c.alert_id == alert_id)
                                   .order_by(link_table.c.position)).scalars().all()
        return None if row is None else AlertRecord(
            id=row.id, key=row.key, kind=row.kind, follows=row.follows, round=row.round, incident_ids=tuple(carried),
            channels=tuple(row.channels), created_at=row.created_at)

    def lesson_alerted_before(self, alert_id: int, meeting_uuid: str) -> bool:
        """Whether a first alert older than this one carried an incident of this meeting."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(link_table.c.alert_id).join(alert_table, alert_table.c.id == link_table.c.alert_id)
                .join(incident_table, incident_table.c.id == link_table.c.incident_id)
                .where(incident_table.c.meeting_uuid == meeting_uuid, alert_table.c.kind == "first",
                       link_table.c.alert_id < alert_id).limit(1)).first() is not None

    def occurrences_since(self, incident_ids: Sequence[int], moment: datetime) -> int:
        """How many times these incidents' breaches happened again after a moment."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(occurrence_table).where(
                occurrence_table.c.incident_id.in_(incident_ids), occurrence_table.c.began_at > moment)).scalar_one()

    def begin(self, alert_id: int, channel: str, at: datetime) -> tuple[int, int]:
        """Notes an attempt about to be sent, its result unknown until finish(); returns (its id, its number)."""
        with writing(self.engine) as conn:
            attempt = conn.execute(select(func.count()).select_from(delivery_table).where(
                delivery_table.c.alert_id == alert_id, delivery_table.c.channel == channel)).scalar_one() + 1
            inserted = conn.execute(delivery_table.insert().values(
                alert_id=alert_id, channel=channel, attempt=attempt, at=at, ok=None, detail=SENDING))
        return inserted.inserted_primary_key[0], attempt

    def finish(self, attempt_id: int, ok: bool, detail: str | None) -> None:
        with writing(self.engine) as conn:
            conn.execute(update(delivery_table).where(delivery_table.c.id == attempt_id).values(ok=ok, detail=detail))

    def cut_off(self, alert_id: int, channel: str) -> int:
        """Marks the attempts still "sending" as cut off (their worker was killed mid-send); returns how many."""
        with writing(self.engine) as conn:
            return conn.execute(update(delivery_table).where(
                delivery_table.c.alert_id == alert_id, delivery_table.c.channel == channel,
                delivery_table.c.ok.is_(None), delivery_table.c.detail == SENDING).values(detail=CUT_OFF)).rowcount

    def delivered(self, alert_id: int, channel: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(delivery_table.c.id).where(
                delivery_table.c.alert_id == alert_id, delivery_table.c.channel == channel,
                delivery_table.c.ok)).first() is not None

    def attempts(self, incident_id: int) -> list[DeliveryAttempt]:
        """Every delivery attempt of the alerts that carried an incident, in order."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(delivery_table, alert_table.c.kind)
                                .join(alert_table, alert_table.c.id == delivery_table.c.alert_id)
                                .join(link_table, link_table.c.alert_id == alert_table.c.id)
                                .where(link_table.c.incident_id == incident_id)
                                .order_by(delivery_table.c.at, delivery_table.c.id)).all()
        return [DeliveryAttempt(alert_id=r.alert_id, kind=r.kind, channel=r.channel, attempt=r.attempt, at=r.at,
                                ok=r.ok, detail=r.detail) for r in rows]

    # --- silences ---

    def silence(self, *, rule: str | None, meeting_id: str | None, host_email: str | None, starts_at: datetime,
                ends_at: datetime, author: str, reason: str, at: datetime) -> SilenceRecord:
        with writing(self.engine) as conn:
            silence_id = conn.execute(silence_table.insert().values(
                rule=rule, meeting_id=meeting_id, host_email=host_email, starts_at=starts_at, ends_at=ends_at,
                author=author, reason=reason, created_at=at)).inserted_primary_key[0]
        return self.silences(ids=[silence_id])[0]

    def expire_silence(self, silence_id: int, at: datetime) -> bool:
        """Ends a silence now (it stays on record)."""
        with writing(self.engine) as conn:
            return conn.execute(update(silence_table).where(silence_table.c.id == silence_id,
                                                            silence_table.c.ends_at > at)
                                .values(ends_at=at)).rowcount == 1

    def silences(self, *, active_at: datetime | None = None, ids: Sequence[int] | None = None) -> list[SilenceRecord]:
        query = select(silence_table).order_by(silence_table.c.id)
        if active_at is not None:
            query = query.where(silence_table.c.starts_at <= active_at, silence_table.c.ends_at > active_at)
        if ids is not None:
            query = query.where(silence_table.c.id.in_(ids))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [SilenceRecord(**row._mapping) for row in rows]
