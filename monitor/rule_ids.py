"""The rule ids, fixed: they appear in the API, the replay output, alerts and the school's config (which names them
in ``[rules] disabled`` and ``severity``, so they are known before the rules are)."""

EXTERNAL_PARTICIPANT = "external_participant"
FEWER_THAN_TWO_PUPILS = "fewer_than_two_pupils"
NON_TEACHER_HOST = "non_teacher_host"
NO_RECORDING = "no_recording"
PUPILS_UNSUPERVISED = "pupils_unsupervised"
PRIVATE_CHAT = "private_chat"
CHAT_IN_LESSON = "chat_in_lesson"
PARTICIPANT_SCREEN_SHARE = "participant_screen_share"
JOIN_BEFORE_HOST = "join_before_host"
PERSONAL_MEETING_ID = "personal_meeting_id"
OUT_OF_HOURS = "out_of_hours"

RULE_IDS = (EXTERNAL_PARTICIPANT, FEWER_THAN_TWO_PUPILS, NON_TEACHER_HOST, NO_RECORDING, PUPILS_UNSUPERVISED,
            PRIVATE_CHAT, CHAT_IN_LESSON, PARTICIPANT_SCREEN_SHARE, JOIN_BEFORE_HOST, PERSONAL_MEETING_ID,
            OUT_OF_HOURS)
"""In the order the rules are evaluated and listed (rules.md: the first four, then version 2's seven)."""
