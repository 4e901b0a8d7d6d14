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
  1500-pupils-unsupervised.jsonl    the teacher's connection drops and the pupils are left alone for five minutes
  1525-private-chat.jsonl           the teacher and a pupil chat privately (a message, and a file back): private, and
                                    chat in a lesson with pupils, so it is flagged as both
  1550-chat-in-lesson.jsonl         a pupil sends a message to everyone
  1615-participant-screen-share.jsonl  a pupil shares their screen
  1640-join-before-host.jsonl       the meeting lets pupils in before the teacher, who arrives within a minute
  1705-personal-meeting-id.jsonl    a lesson held on the teacher's Personal Meeting ID
  1750-out-of-hours.jsonl           a lesson that runs on past 18:00, the end of the lesson hours
Every lesson keeps the rest of the protocol: recorded, hosted by the teacher, two pupils or more, in school hours on
a weekday (a Wednesday in November, when school time is UTC). Chat messages and file names are markers that say they
are never kept: the monitor records who chatted, never what was written or sent.
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
    def __init__(self, name: str, uuid: str, meeting_id: str, topic: str, start: float, minutes: int = 50,
                 meeting_type: int = 2, steady_user_ids: bool = False):
        self.name, self.start, self.events = name, start, []
        self.object = {"id": meeting_id, "uuid": uuid, "host_id": TEACHER[2], "topic": topic, "type": meeting_type,
                       "start_time": iso(start), "timezone": "Europe/London", "duration": minutes}
        self.steady_user_ids = steady_user_ids
        """As Zoom does, one user_id a connection (chat and sharing events name connections by it); the first six
        lessons were written with a new one on each event."""
        self.user_ids: dict[str, str] = {}

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
        connection_id = str(16778000 + len(self.events))
        if self.steady_user_ids:
            connection_id = self.user_ids.setdefault(conn, connection_id)
        p = {"user_id": connection_id, "user_name": name, "id": user_id,
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

    def finish(self, at=3000, pupils=PUPILS, record=True, teacher_conn=None):
        for n, pupil in enumerate(pupils):
            self.leave(at - 60 + n, pupil, f"{self.name}-p{n + 1}")
        if record:
            self.emit("recording.stopped", at - 20, recording_file={"recording_start": iso(self.start + 15),
                                                                    "recording_end": iso(self.start + at - 20)})
        self.leave(at - 5, TEACHER, teacher_conn or f"{self.name}-teacher")
        self.emit("meeting.ended", at, end_time=iso(self.start + at))

    def chat(self, at, sender: tuple, sender_conn: str, recipient_type: str, recipient: tuple | None = None,
             recipient_conn: str | None = None, file: bool = False) -> dict:
        """A chat message, or a file (``chat_message_file_sent``, in its own shape). Its content is a marker: the
        monitor never keeps it."""
        chat = {"date_time": iso(self.start + at), "sender_session_id": self.user_ids[sender_conn],
                "sender_name": sender[1], "sender_email": sender[0],
                "sender_type": "host" if sender is TEACHER else "guest"}
        if recipient is not None:
            chat |= {"recipient_session_id": self.user_ids[recipient_conn], "recipient_name": recipient[1],
                     "recipient_email": recipient[0]}
        chat["recipient_type"] = recipient_type
        if not file:
            return self.emit("meeting.chat_message_sent", at, chat_message=chat | {
                "message_id": f"{self.name}-message-{len(self.events)}",
                "message_content": "EXAMPLE CHAT TEXT: the monitor never keeps what was written"})
        chat |= {"file_id": f"{self.name}-file-{len(self.events)}", "file_name": "EXAMPLE-FILE-NAME-never-kept.pdf",
                 "file_size": 20480, "file_type": "pdf",
                 "download_url": "https://zoom.us/rest/download?fileId=EXAMPLE-LINK-never-kept"}
        body = {"event": "meeting.chat_message_file_sent", "event_ts": int((self.start + at) * 1000),
                "payload": {"account_id": "VjZoEArIT5y-HlWxkV-tVA", "operator": sender[0], "operator_id": sender[2],
                            "object": {"meeting_id": int(self.object["id"]), "meeting_uuid": self.object["uuid"],
                                       "chat_message_file": chat}}}
        self.events.append(body)
        return body

    def share(self, kind: str, at, who: tuple, conn: str, content: str = "desktop") -> dict:
        return self.emit(f"meeting.sharing_{kind}", at, id=int(self.object["id"]), participant={
            "user_id": self.user_ids[conn], "user_name": who[1], "id": who[2],
            "sharing_details": {"content": content, "link_source": "", "file_link": "", "source": "",
                                "date_time": iso(self.start + at)}})

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


def afternoon_lesson(name: str, uuid: str, meeting_id: str, topic: str, at: str, **options) -> Lesson:
    """One of the afternoon's 20-minute lessons, 25 minutes apart (a replay's clock never goes back, so lessons in
    one stream must not overlap)."""
    hour, minute = map(int, at.split(":"))
    return Lesson(name, uuid, meeting_id, topic, DAY + (hour - 9) * 3600 + minute * 60, minutes=20,
                  steady_user_ids=True, **options)


def pupils_unsupervised() -> None:
    lesson = afternoon_lesson("pupils-unsupervised", "pUpIlSuNsUpErViSeD000G==", "81000000007", "Year 9 Geography",
                              "15:00")
    lesson.begin()
    lesson.leave(400, TEACHER, "pupils-unsupervised-teacher")          # the teacher's connection drops ...
    lesson.join(700, TEACHER, "pupils-unsupervised-teacher-back")     # ... and they are back five minutes later
    lesson.finish(at=1200, teacher_conn="pupils-unsupervised-teacher-back")
    lesson.write()


def private_chat() -> None:
    lesson = afternoon_lesson("private-chat", "pRiVaTeChAtUuid000000H==", "81000000008", "Year 10 Biology", "15:25")
    lesson.begin()
    pupil = "private-chat-p2"
    lesson.chat(300, TEACHER, "private-chat-teacher", "guest", PUPILS[1], pupil)
    lesson.chat(340, PUPILS[1], pupil, "host", TEACHER, "private-chat-teacher", file=True)
    lesson.finish(at=1200)
    lesson.write()


def chat_in_lesson() -> None:
    lesson = afternoon_lesson("chat-in-lesson", "cHaTiNlEsSoNUuid00000I==", "81000000009", "Year 8 History", "15:50")
    lesson.begin()
    lesson.chat(500, PUPILS[3], "chat-in-lesson-p4", "everyone")
    lesson.finish(at=1200)
    lesson.write()


def participant_screen_share() -> None:
    lesson = afternoon_lesson("participant-screen-share", "pUpIlShArEsScReEnUuid0J==", "81000000010",
                              "Year 11 Computing", "16:15")
    lesson.begin()
    lesson.share("started", 450, PUPILS[4], "participant-screen-share-p5")
    lesson.share("ended", 510, PUPILS[4], "participant-screen-share-p5")
    lesson.finish(at=1200)
    lesson.write()


def join_before_host() -> None:
    lesson = afternoon_lesson("join-before-host", "jOiNbEfOrEhOsTUuid0000K==", "81000000011", "Year 7 Music",
                              "16:40")
    lesson.emit("meeting.started", 0)
    for n, pupil in enumerate(PUPILS[:3]):                            # the meeting lets them in before the host
        lesson.emit("meeting.participant_jbh_joined", 2 + 10 * n,
                    participant={"id": pupil[2], "user_name": pupil[1]})
        lesson.join(3 + 10 * n, pupil, f"join-before-host-p{n + 1}")
    lesson.join(60, TEACHER, "join-before-host-teacher")              # the teacher is there within a minute
    lesson.emit("recording.started", 70, recording_file={"recording_start": iso(lesson.start + 70),
                                                         "recording_end": None})
    for n, pupil in enumerate(PUPILS[3:], start=3):
        lesson.join(80 + 8 * n, pupil, f"join-before-host-p{n + 1}")
    lesson.finish(at=1200)
    lesson.write()


def personal_meeting_id() -> None:
    lesson = afternoon_lesson("personal-meeting-id", "pErSoNaLmEeTiNgIdUuid0L==", "81000000012", "Year 12 Drama",
                              "17:05", meeting_type=4)
    lesson.begin()
    lesson.finish(at=1200)
    lesson.write()


def out_of_hours() -> None:
    lesson = Lesson("out-of-hours", "oUtOfHoUrSUuid00000000M==", "81000000013", "Year 13 revision", DAY + 8 * 3600
                    + 50 * 60, steady_user_ids=True)
    lesson.begin()
    lesson.finish()                                                   # 50 minutes: until 18:40, school time
    lesson.write()


if __name__ == "__main__":
    for make in (clean, external_participant, fewer_than_two_pupils, non_teacher_host, no_recording, messy_delivery,
                 pupils_unsupervised, private_chat, chat_in_lesson, participant_screen_share, join_before_host,
                 personal_meeting_id, out_of_hours):
        make()
