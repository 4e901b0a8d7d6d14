"""What staff do with an incident (acknowledge, close with an outcome and a reason, reopen), each change written
together with its audit entry; and the audit log itself, which is only ever appended to."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Engine, select, update

from ..db import writing
from ..times import iso_utc
from .models import AuditEntry, Incident, IncidentNote

incidents, audit, notes = Incident.__table__, AuditEntry.__table__, IncidentNote.__table__
OUTCOMES = {"no_action": "No action required", "action_taken": "Action taken", "referred": "Referred"}


class TriageError(ValueError):
    """The change cannot be made as asked; the message says why."""


def write_audit(conn: Connection, who: tuple[int | None, str], action: str, incident_id: int | None, detail: dict,
           at: datetime) -> None:
    conn.execute(audit.insert().values(at=at, account_id=who[0], account_email=who[1], action=action,
                                       incident_id=incident_id, detail=detail))


class Triage:
    """``who`` is (account id, e-mail) of the member of staff, or (None, "api:<name>") for the JSON API."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, who: tuple[int | None, str], action: str, incident_id: int | None, at: datetime,
               **detail) -> None:
        """An audit entry on its own: a view or an export."""
        with writing(self.engine) as conn:
            write_audit(conn, who, action, incident_id, detail, at)

    def _change(self, who, action: str, incident_id: int, from_status: tuple[str, ...], values: dict, at: datetime,
                detail: dict) -> bool:
        with writing(self.engine) as conn:
            done = conn.execute(update(incidents).where(incidents.c.id == incident_id,
                                                        incidents.c.status.in_(from_status)).values(**values))
            if done.rowcount != 1:
                return False
            write_audit(conn, who, action, incident_id, detail, at)
        return True

    def acknowledge(self, who, incident_id: int, at: datetime) -> bool:
        """A new incident becomes acknowledged, which stops its alerts repeating and escalating."""
        return self._change(who, "acknowledge", incident_id, ("new",),
                            {"status": "acknowledged", "acknowledged_at": at, "acknowledged_by": who[1]}, at, {})

    def close(self, who, incident_id: int, outcome: str, rationale: str, at: datetime) -> bool:
        """Closed with an outcome and the reason for it, which may not be left empty (also for not referring)."""
        rationale = rationale.strip()
        if outcome not in OUTCOMES:
            raise TriageError(f"the outcome must be one of: {', '.join(OUTCOMES)}")
        if not rationale:
            raise TriageError("the rationale must say why (also when nothing is referred)")
        values = {"status": "closed", "closed_at": at, "closed_by": who[1], "outcome": outcome, "rationale": rationale}
        return self._change(who, "close", incident_id, ("new", "acknowledged"), values, at,
                            {"outcome": outcome, "rationale": rationale})

    def reopen(self, who, incident_id: int, reason: str, at: datetime) -> bool:
        reason = reason.strip()
        if not reason:
            raise TriageError("reopening needs a reason")
        values = {"status": "acknowledged", "closed_at": None, "closed_by": None, "outcome": None, "rationale": None}
        return self._change(who, "reopen", incident_id, ("closed",), values, at, {"reason": reason})

    def assign(self, who, incident_id: int, assignee: str, due_on: date | None, at: datetime) -> bool:
        """Gives an open incident to a named member of staff, by a date; a closed one is not reassigned."""
        values = {"assigned_to": assignee, "due_on": due_on}
        return self._change(who, "assign", incident_id, ("new", "acknowledged"), values, at,
                            {"to": assignee, "due_on": due_on.isoformat() if due_on else None})

    def add_note(self, who, incident_id: int, text: str, at: datetime) -> None:
        text = text.strip()
        if not text:
            raise TriageError("a note cannot be empty")
        with writing(self.engine) as conn:
            conn.execute(notes.insert().values(incident_id=incident_id, at=at, account_id=who[0],
                                               author_email=who[1], text=text))
            write_audit(conn, who, "note", incident_id, {}, at)

    def notes(self, incident_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(notes).where(notes.c.incident_id == incident_id)
                                .order_by(notes.c.at, notes.c.id)).all()
        return [{"at": iso_utc(r.at), "who": r.author_email, "text": r.text} for r in rows]

    def history(self, incident_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(audit).where(audit.c.incident_id == incident_id)
                                .order_by(audit.c.at, audit.c.id)).all()
        return [{"at": iso_utc(r.at), "who": r.account_email, "action": r.action, "detail": r.detail} for r in rows]
