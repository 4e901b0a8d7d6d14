"""Every Redis key the monitor uses, and how long it lives.

A meeting instance's keys share the hash tag ``{uuid}`` so one Lua script may touch them all, also on Redis Cluster.
Process-wide keys share the tag ``{monitor}``.
"""

MEETING_RETENTION_SECONDS = 24 * 3600
"""A meeting's keys expire this long after its last event: an ended meeting is remembered far longer than Zoom's
retry span (85 minutes) and the webhook timestamp window, and a meeting that never sends ``meeting.ended`` does not
leak."""


def _tag(uuid: str) -> str:
    # Braces inside a uuid would move the hash tag; Zoom uuids are base64, which has none, but be safe.
    return "{" + uuid.replace("{", "(").replace("}", ")") + "}"


def meeting(uuid: str) -> str:
    """HASH: the meeting's own facts (id, topic, host, recording, lifecycle)."""
    return f"zm:{_tag(uuid)}:meeting"


def connections(uuid: str) -> str:
    """HASH: ``<connection id>:<fact>`` -> value, for every connection seen in the meeting."""
    return f"zm:{_tag(uuid)}:connections"


def seen(uuid: str) -> str:
    """SET: fingerprints of the deliveries already applied to the meeting (Zoom delivers at least once)."""
    return f"zm:{_tag(uuid)}:seen"


def meeting_keys(uuid: str) -> list[str]:
    """The keys of one meeting, in the order the roster script takes them."""
    return [seen(uuid), meeting(uuid), connections(uuid)]


MEETINGS_INDEX = "zm:{monitor}:meetings"
"""ZSET: meeting uuid -> time of its latest event (seconds); lets the API list meetings without SCAN."""

IGNORED_COUNTS = "zm:{monitor}:ignored"
"""HASH: event kind -> deliveries of kinds that change no roster (first delivery only)."""


def ignored_seen(fingerprint: str) -> str:
    """STRING, expiring: marks a delivery of an ignored kind as counted."""
    return f"zm:{{monitor}}:ignored-seen:{fingerprint}"
