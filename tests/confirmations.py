"""Confirmations of a breach, as the pipeline hands them to the incident store: one lesson's, at T0 and after."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from monitor.incidents import Confirmation

T0 = datetime(2026, 11, 18, 11, 6, 40, tzinfo=timezone.utc)
UUID = "jUh5o3dKQIytvcsfTtKBlg=="
OTHER_UUID = "kVi6p4eLRJzuwdtgUuLCmh=="
TEACHER = "a.teacher@gatehouse.sch.uk"
EVIDENCE = {"present": [{"email": TEACHER, "class": "teacher"}, {"email": None, "class": "external"}]}


def confirmation(began: datetime = T0, *, grace: int = 0, rule: str = "no_recording", subject: str | None = None,
                 meeting_uuid: str = UUID, evidence: dict = EVIDENCE) -> Confirmation:
    return Confirmation(meeting_uuid=meeting_uuid, meeting_id="85393847045", topic="Year 9 Maths", rule=rule,
                        subject=subject, severity="high", host_email=TEACHER, host_class="teacher",
                        began_at=began, opened_at=began + timedelta(seconds=grace), evidence=evidence)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)
