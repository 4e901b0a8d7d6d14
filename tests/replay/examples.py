"""The recorded lessons in examples/ and what each is built to show with the example config (examples/generate.py)."""
from ..servers import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.jsonl"))
EXPECTED = {
    "0900-clean-lesson": [],
    "1000-external-participant": [("external_participant", None)],
    "1100-fewer-than-two-pupils": [("fewer_than_two_pupils", None)],
    "1200-non-teacher-host": [("non_teacher_host", "c.assistant@gatehouse.sch.uk")],
    "1300-no-recording": [("no_recording", None)],
    "1400-messy-delivery": [("external_participant", None)],
    "1500-pupils-unsupervised": [("pupils_unsupervised", None)],
    # a private chat with a pupil is chat in a lesson with pupils too (rules.md): both rules flag it
    "1525-private-chat": [("private_chat", "a.teacher@gatehouse.sch.uk"), ("chat_in_lesson", None)],
    "1550-chat-in-lesson": [("chat_in_lesson", None)],
    "1615-participant-screen-share": [("participant_screen_share", "pupil5@gatehouse.sch.uk")],
    "1640-join-before-host": [("join_before_host", None)],
    "1705-personal-meeting-id": [("personal_meeting_id", None)],
    "1750-out-of-hours": [("out_of_hours", None)],
}
MEDIUM = {"chat_in_lesson", "participant_screen_share", "join_before_host", "personal_meeting_id", "out_of_hours"}
"""rules.md: these are medium; every other rule is high."""
CHAT_MARKERS = ("EXAMPLE CHAT TEXT", "EXAMPLE-FILE-NAME", "EXAMPLE-LINK")
"""What the chat examples wrote and sent: never kept."""
