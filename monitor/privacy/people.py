"""A person's data on request (README, A person's data): everything the monitor holds about one e-mail, and erasing
it from the evidence. Both are written into the audit log, which names the person by their key, never their e-mail.

The export gives what was recorded about the person; the others in the same incidents appear only by class and
count. Erasure takes the person out of every incident's evidence (they stay counted in their class), out of whom
the incidents concern and off the lessons they hosted; the incidents, their decisions, notes and the audit log stay.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, or_, select, update

from ..config import SchoolConfig, normalise_email
from ..db import writing
from ..findings.models import FindingRow
from ..incidents.concerned import person_key
from ..incidents.models import Incident, IncidentNote, IncidentOccurrence, IncidentPerson
from ..incidents.triage import write_audit
from ..lessons import LessonRow
from ..rules import BY_ID
from ..times import iso_utc
from .redact import EVENT_ENDS, person, redact

incidents, occurrences, people = Incident.__table__, IncidentOccurrence.__table__, IncidentPerson.__table__
notes, lessons, findings = IncidentNote.__table__, LessonRow.__table__, FindingRow.__table__
ERASED = "erased"
"""Why a person is not named in evidence they were erased from."""
DECISION = ("status", "outcome", "rationale", "closed_at", "severity", "occurrences")


class StillOpen(ValueError):
    """Erasure waits for the person's incidents to be closed: the message says which are open."""


@dataclass(frozen=True)
class Erasure:
    key: str
    incidents: list[int]
    lessons: int


def _appearing(email: str):
    """Where an incident holds this e-mail: among whom it concerns, as its subject or as its host."""
    return or_(incidents.c.id.in_(select(people.c.incident_id).where(people.c.email == email)),
               incidents.c.subject == email, incidents.c.host_email == email)


def recorded(evidence: dict, email: str, at: str) -> list[dict]:
    """What one occurrence's evidence recorded of the person: present (class, Zoom's name, when they joined), host,
    or an end of the event (who chatted, to whom, who shared)."""
    found = []
    for cls, present in (evidence.get("roster") or {}).items():
        found += [{"at": at, "as": "present", "class": cls, "name": p.get("name"), "joined_at": p.get("joined_at")}
                  for p in present if p.get("email") == email]
    host = evidence.get("host") or {}
    if host.get("email") == email:
        found.append({"at": at, "as": "host", "class": host.get("class")})
    event = evidence.get("event") or {}
    what = {key: event[key] for key in ("kind", "recipient_type", "content") if key in event}
    found += [{"at": at, "as": end, "class": event[end].get("class"), **what}
              for end in EVENT_ENDS if (event.get(end) or {}).get("email") == email]
    return found


def _others(evidence: dict, email: str) -> dict[str, int]:
    """Everyone else present at the first occurrence, counted by class."""
    counted = {cls: sum(1 for p in present if p.get("email") != email)
               for cls, present in (evidence.get("roster") or {}).items()}
    return {cls: n for cls, n in counted.items() if n}


class PersonData:
    def __init__(self, engine: Engine, config: SchoolConfig):
        self.engine = engine
        self.config = config

    def incident_ids(self, email: str) -> list[int]:
        """The incidents this person appears in, oldest first."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(incidents.c.id).where(_appearing(normalise_email(email)))
                                     .order_by(incidents.c.opened_at, incidents.c.id)).scalars())

    def email_of(self, key: str) -> str | None:
        """The e-mail whose key this is, among those the monitor holds: whom incidents concern, the staff
        directory, the lessons' hosts and the Zoom settings findings."""
        with self.engine.connect() as conn:
            found = conn.execute(select(people.c.email).where(people.c.person_key == key).limit(1)).scalar()
            if found:
                return found
            held = set(conn.execute(select(lessons.c.host_email).distinct()).scalars())
            held |= set(conn.execute(select(findings.c.host_email).distinct()).scalars())
            held |= set(conn.execute(select(findings.c.subject).where(findings.c.kind == "user")).scalars())
        held |= set(self.config.staff.by_email)
        return next((email for email in held if email and person_key(email) == key), None)

    def export(self, email: str, who: tuple[int | None, str], at: datetime, via: str) -> dict:
        """Everything held about the person, as JSON-ready data; the export is audited (``via``: page, json or
        command)."""
        email = normalise_email(email)
        data = self._gather(email)
        data["exported_at"] = iso_utc(at)
        with writing(self.engine) as conn:
            write_audit(conn, who, "export", None, {"person": data["person"]["key"], "via": via,
                                                    "incidents": [i["id"] for i in data["incidents"]]}, at)
        return data

    def _gather(self, email: str) -> dict:
        ids = self.incident_ids(email)
        with self.engine.connect() as conn:
            rows = {row.id: row for row in conn.execute(select(incidents).where(incidents.c.id.in_(ids)))}
            evidence: dict[int, list] = {i: [] for i in ids}
            for row in conn.execute(select(occurrences.c.incident_id, occurrences.c.began_at, occurrences.c.evidence)
                                    .where(occurrences.c.incident_id.in_(ids))
                                    .order_by(occurrences.c.began_at, occurrences.c.id)):
                evidence[row.incident_id].append((iso_utc(row.began_at), row.evidence))
            written = {i: [] for i in ids}
            for note in conn.execute(select(notes).where(notes.c.incident_id.in_(ids)).order_by(notes.c.at)):
                written[note.incident_id].append({"at": iso_utc(note.at), "text": note.text})
            hosted = conn.execute(select(lessons).where(lessons.c.host_email == email)
                                  .order_by(lessons.c.started_at)).all()
            settings = conn.execute(select(findings).where(or_(findings.c.host_email == email,
                                                               findings.c.subject == email))
                                    .order_by(findings.c.first_seen, findings.c.id)).all()
        listed = [self._incident(rows[i], evidence[i], written[i], email) for i in ids]
        classes = sorted({fact["class"] for i in listed for fact in i["recorded"] if fact.get("class")}
                         | {rows[i].subject_class for i in ids if rows[i].subject == email and rows[i].subject_class})
        member = self.config.staff.find(email=email)
        names = sorted({fact["name"] for i in listed for fact in i["recorded"] if fact.get("name")}
                       | ({member.name} if member and member.name else set()))
        return {
            "person": {"email": email, "key": person_key(email), "classes": classes, "names": names},
            "school": self.config.school.name,
            "incidents": listed,
            "lessons_hosted": [{"meeting_id": r.meeting_id, "topic": r.topic, "started_at": iso_utc(r.started_at),
                                "ended_at": iso_utc(r.ended_at), "pupils": r.pupils} for r in hosted],
            "zoom_settings_findings": [{"kind": r.kind, "meeting_id": r.subject if r.kind == "meeting" else None,
                                        "topic": r.topic, "setting": r.setting, "words": r.words,
                                        "expected": r.expected, "actual": r.actual,
                                        "first_seen": iso_utc(r.first_seen), "last_seen": iso_utc(r.last_seen),
                                        "resolved_at": iso_utc(r.resolved_at)} for r in settings],
        }

    @staticmethod
    def _incident(row, evidence: list[tuple[str, dict]], written: list[dict], email: str) -> dict:
        facts = [fact for at, shown in evidence for fact in recorded(shown, email, at)]
        if row.subject == email and not facts:
            facts.append({"at": iso_utc(row.began_at), "as": "subject", "class": row.subject_class})
        first = evidence[0][1] if evidence else row.evidence
        rule = BY_ID.get(row.rule)
        return {
            "id": row.id, "rule": row.rule, "what": rule.sentence if rule else row.rule,
            "lesson": {"meeting_id": row.meeting_id, "topic": row.topic},
            "began_at": iso_utc(row.began_at), "opened_at": iso_utc(row.opened_at),
            "cleared_at": iso_utc(row.cleared_at),
            **{key: iso_utc(getattr(row, key)) if key.endswith("_at") else getattr(row, key) for key in DECISION},
            "as": sorted({fact["as"] for fact in facts}),
            "recorded": facts,
            "others_present": _others(first, email),
            "notes": written,
            "evidence_reduced_at": iso_utc(row.evidence_reduced_at),
        }

    def erase(self, email: str, reason: str, who: tuple[int | None, str], at: datetime) -> Erasure:
        """Takes the person out of the evidence of every incident they appear in (they stay counted in their class),
        out of whom the incidents concern, and off the lessons they hosted. Refused, changing nothing, while one of
        those incidents is open. Audited with the reason, on each incident and once for the whole."""
        email, reason = normalise_email(email), reason.strip()
        if not reason:
            raise ValueError("erasing needs a reason (what the request was, and why the law allows it)")
        key = person_key(email)
        with writing(self.engine) as conn:
            rows = conn.execute(select(incidents).where(_appearing(email))
                                .order_by(incidents.c.id).with_for_update()).all()
            still_open = [row.id for row in rows if row.status != "closed"]
            if still_open:
                raise StillOpen(f"{len(still_open)} of their incidents are still open "
                                f"({', '.join(f'#{i}' for i in still_open)}): close them first; nothing was erased")
            for row in rows:
                self._erase_from(conn, row, email, key)
                write_audit(conn, who, "erase", row.id, {"person": key, "reason": reason}, at)
            hosted = conn.execute(update(lessons).where(lessons.c.host_email == email)
                                  .values(host_email=None)).rowcount
            write_audit(conn, who, "erase", None, {"person": key, "reason": reason, "lessons": hosted,
                                                   "incidents": [row.id for row in rows]}, at)
        return Erasure(key, [row.id for row in rows], hosted)

    @staticmethod
    def _erase_from(conn, row, email: str, key: str) -> None:
        values = {"evidence": redact(row.evidence, person(email), ERASED)[0]}
        if row.subject == email:
            values |= {"subject": None, "subject_key": f"{ERASED}:{key}"}
        if row.host_email == email:
            values["host_email"] = None
        conn.execute(update(incidents).where(incidents.c.id == row.id).values(**values))
        for occurrence in conn.execute(select(occurrences.c.id, occurrences.c.evidence)
                                       .where(occurrences.c.incident_id == row.id)).all():
            conn.execute(update(occurrences).where(occurrences.c.id == occurrence.id)
                         .values(evidence=redact(occurrence.evidence, person(email), ERASED)[0]))
        conn.execute(delete(people).where(people.c.incident_id == row.id, people.c.email == email))


def export_lines(exported: dict) -> list[str]:
    """The export in lines for a terminal (times UTC, as in the JSON)."""
    who = exported["person"]
    named = ", ".join(who["names"] + who["classes"])
    lines = [f"{who['email']}{f' ({named})' if named else ''}: what {exported['school']}'s safeguarding monitor "
             f"holds, exported {exported['exported_at']}",
             f"Incidents they appear in: {len(exported['incidents'])}"]
    for incident in exported["incidents"]:
        decided = incident["status"] + (f", {incident['outcome']}" if incident["outcome"] else "")
        lesson = incident["lesson"]["topic"] or incident["lesson"]["meeting_id"] or "a lesson"
        lines.append(f"  #{incident['id']} {incident['opened_at']} {incident['what']} ({lesson}; {decided}); "
                     f"as {', '.join(incident['as']) or 'named'}")
    lines.append(f"Lessons they hosted: {len(exported['lessons_hosted'])}")
    lines += [f"  {lesson['started_at']} {lesson['topic'] or lesson['meeting_id']}"
              for lesson in exported["lessons_hosted"]]
    lines.append(f"Zoom settings findings: {len(exported['zoom_settings_findings'])}")
    lines += [f"  {finding['first_seen']} {finding['words']}" for finding in exported["zoom_settings_findings"]]
    return lines
