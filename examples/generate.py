"""Writes the example lessons in this folder (JSON Lines, one Zoom delivery a line, in delivery order).

    python examples/generate.py

Each lesson is built to show one thing with the example configuration (config/monitor.example.toml):
  0900-clean-lesson.jsonl           a lesson that keeps the protocol: nothing is flagged
  1000-external-participant.jsonl   a guest without a school account joins while pupils are there
  1100-fewer-than-two-pupils.jsonl  a teacher alone with one pupil for ten minutes
  1200-non-teacher-host.jsonl       a teaching assistant is made host of a lesson with pupils
  1300-no-recording.jsonl           a lesson with pupils that is never recorded
  1400-messy-delivery.jsonl         a lesson with an outside guest, delivered as Zoom really does: duplicates, retries
                                    5 and 25 minutes later, out-of-order joins and leaves, a late leave after a rejoin
The file names start with the lesson's time, so that `examples/*.jsonl` replays them in the order they happened.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).parent
TEACHER = ("a.teacher@gatehouse.sch.uk", "Alex Teacher", "8lzIwvZTSOqjndWPbPqzuA")
ASSISTANT = ("c.assistant@gatehouse.sch.uk", "Cal Assistant", "cAssistZoomUserId00001")
PUPILS = [(f"pupil{n}@gatehouse.sch.uk", f"Pupil {n}", f"pupilZoomUserId{n:07d}") for n in range(1, 7)]
DAY = datetime(2026, 11, 18, 9, 0, tzinfo=timezone.utc).timestamp()


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Lesson:
    def __init__(self, name: str, uuid: str, meeting_id: str, topic: str, start: float):
        self.name, self.start, self.events = name, start, []
        self.object = {"id": meeting_id, "uuid": uuid, "host_id": TEACHER[2], "topic": topic, "type": 2,
                       "start_time": iso(start), "timezone": "Europe/London", "duration": 50}

    def emit(self, event: str, at: float, **extra) -> dict:
        obj = {**self.object, **extra}
        if event.startswith("recording."):
            obj["id"] = int(obj["id"])  # Zoom sends recording ids as numbers
        body = {"event": event, "event_ts": int((self.start + at) * 1000) + len(self.events) % 7,
                "payload": {"account_id": "VjZoEArIT5y-HlWxkV-tVA", "object": obj}}
        self.events.append(body)
        return body

    def participant(self, event: str, at: float, who: tuple, conn: str, time_field: str, **extra) -> dict:
        email, name, user_id = who
        p = {"user_id": str(16778000 + len(self.events)), "user_name": name, "id": user_id,
             "participant_uuid": conn, "email": email, "participant_user_id": user_id,
             time_field: iso(self.start + at), **extra}
        return self.emit(event, at, participant=p)

    def join(self, at, who, conn):
        return self.participant("meeting.participant_joined", at, who, conn, "join_time")

    def leave(self, at, who, conn):
        return self.participant("meeting.participant_left", at, who, conn, "leave_time",
                                leave_reason=f"{who[1]} left the meeting.<br>Reason: left the meeting.")

    def waiting(self, kind, at, who, conn):
        return self.participant(f"meeting.participant_{kind}", at, who, conn, "date_time")

    def role(self, at, who, conn, new_role, old_role="attendee"):
        return self.participant("meeting.participant_role_changed", at, who, conn, "date_time",
                                new_role=new_role, old_role=old_role)

    def begin(self, pupils=PUPILS, record=True, admit_from_waiting_room=True):
        self.emit("meeting.started", 0)
        self.join(5, TEACHER, f"{self.name}-teacher")
        if record:
            self.emit("recording.started", 15, recording_file={"recording_start": iso(self.start + 15),
                                                               "recording_end": None})
        for n, pupil in enumerate(pupils):
            conn, at = f"{self.name}-p{n + 1}", 30 + 8 * n
            if admit_from_waiting_room:
                self.waiting("joined_waiting_room", at - 4, pupil, conn)
                self.waiting("admitted", at - 1, pupil, conn)
                self.waiting("left_waiting_room", at - 1, pupil, conn)
            self.join(at, pupil, conn)

    def finish(self, at=3000, pupils=PUPILS, record=True):
        for n, pupil in enumerate(pupils):
            self.leave(at - 60 + n, pupil, f"{self.name}-p{n + 1}")
        if record:
            self.emit("recording.stopped", at - 20, recording_file={"recording_start": iso(self.start + 15),
                                                                    "recording_end": iso(self.start + at - 20)})
        self.leave(at - 5, TEACHER, f"{self.name}-teacher")
        self.emit("meeting.ended", at, end_time=iso(self.start + at))

    def write(self, events=None) -> None:
        hour = datetime.fromtimestamp(self.start, timezone.utc).strftime("%H%M")   # files sort in lesson order
        with (HERE / f"{hour}-{self.name}.jsonl").open("w") as out:
            for body in events or self.events:
                out.write(json.dumps(body, separators=(",", ":")) + "\n")


def clean() -> None:
    lesson = Lesson("clean-lesson", "cLeAn0LeSsOnUuid0000A==", "81000000001", "Year 9 Maths", DAY)
    lesson.begin()
    lesson.leave(900, PUPILS[2], "clean-lesson-p3")      # a pupil drops out and rejoins on a new connection
    lesson.join(915, PUPILS[2], "clean-lesson-p3b")
    lesson.finish()
    lesson.write()


def external_participant() -> None:
    lesson = Lesson("external-participant", "eXtErNaLgUeStUuid000B==", "81000000002", "Year 10 English", DAY + 3600)
    lesson.begin()
    guest = ("", "Guest 42", "")
    lesson.join(600, guest, "external-guest-1")
    lesson.leave(660, guest, "external-guest-1")
    lesson.finish()
    lesson.write()


def fewer_than_two_pupils() -> None:
    lesson = Lesson("fewer-than-two-pupils", "oNePuPiLaLoNeUuid000C==", "81000000003", "Year 11 Physics catch-up",
                    DAY + 7200)
    lesson.begin(pupils=PUPILS[:1])
    lesson.finish(at=630, pupils=PUPILS[:1])
    lesson.write()


def non_teacher_host() -> None:
    lesson = Lesson("non-teacher-host", "nOnTeAcHeRhOsTUuid00D==", "81000000004", "Year 8 Science", DAY + 10800)
    lesson.begin()
    lesson.join(20, ASSISTANT, "non-teacher-host-ta")
    lesson.role(400, ASSISTANT, "non-teacher-host-ta", "host")
    lesson.role(400, TEACHER, "non-teacher-host-teacher", "attendee", old_role="host")
    lesson.leave(1200, ASSISTANT, "non-teacher-host-ta")
    lesson.finish()
    lesson.write()


def no_recording() -> None:
    lesson = Lesson("no-recording", "nOrEcOrDiNgUuid000000E==", "81000000005", "Year 7 French", DAY + 14400)
    lesson.begin(record=False)
    lesson.finish(record=False)
    lesson.write()


def messy_delivery() -> None:
    lesson = Lesson("messy-delivery", "mEsSyDeLiVeRyUuid0000F==", "81000000006", "Year 12 History", DAY + 18000)
    lesson.emit("meeting.started", 0)
    lesson.join(5, TEACHER, "messy-delivery-teacher")
    lesson.emit("recording.started", 15, recording_file={"recording_start": iso(lesson.start + 15),
                                                        "recording_end": None})
    for n, pupil in enumerate(PUPILS):
        lesson.join(30 + 5 * n, pupil, f"messy-p{n + 1}")
    guest = ("", "Unknown caller", "")
    guest_join = lesson.join(500, guest, "messy-guest")
    lesson.leave(520, guest, "messy-guest")
    lesson.leave(800, PUPILS[0], "messy-p1")            # pupil 1 drops; rejoins on a new connection ...
    rejoin = lesson.join(805, PUPILS[0], "messy-p1b")
    lesson.finish()
    events = list(lesson.events)
    rng = random.Random(7)
    for i in range(0, len(events) - 1, 3):               # neighbours swapped: Zoom does not keep order
        if rng.random() < 0.5 and events[i]["event"] != "meeting.started":
            events[i], events[i + 1] = events[i + 1], events[i]
    late_left = next(e for e in events if e["event"] == "meeting.participant_left"
                     and e["payload"]["object"]["participant"]["participant_uuid"] == "messy-p1")
    events.remove(late_left)
    events.insert(events.index(rejoin) + 2, late_left)   # ... and the drop is delivered after the rejoin
    for dup in rng.sample(events, 6):                    # at-least-once: some deliveries twice
        events.insert(events.index(dup) + 1, dup)
    at = events.index(guest_join)
    events.insert(at + 12, guest_join)                   # Zoom's retries of the guest's join, 5 and 25 min later
    events.insert(at + 30, guest_join)
    lesson.write(events)


if __name__ == "__main__":
    for make in (clean, external_participant, fewer_than_two_pupils, non_teacher_host, no_recording, messy_delivery):
        make()
