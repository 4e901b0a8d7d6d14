"""What became of an incident's alert, in words (the API gives its alert_state as it is)."""

ALERT_STATES = {
    "pending": "waiting to be sent (grouped with the lesson's other incidents)",
    "alerted": "sent",
    "cleared": "not sent: the condition cleared within the group wait",
    "unrouted": "not sent: no alert channel for this rule",
    "silenced": "not sent: silenced",
    "inhibited": "not sent: covered by the lesson's alert about its host",
    "replayed": "no alert (replayed)",
}


def alert_words(state: str) -> str:
    return ALERT_STATES.get(state, state)
