"""Every Redis key the monitor uses, and how long it lives.

A meeting instance's keys share the hash tag ``{uuid}``, which keeps them together (one Lua script touches them
all). The monitor runs on one Redis server, not on Redis Cluster (README, Production).
Process-wide keys share the tag ``{monitor}``.
"""
from functools import lru_cache

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


def seen(uuid: str) -> str:
    """SET: fingerprints of the deliveries already applied to the meeting (Zoom delivers at least once)."""
    return f"zm:{_tag(uuid)}:seen"


def conditions(uuid: str) -> str:
    """HASH: breach condition (rule, subject) -> when it began, its grace, whether confirmed or cleared."""
    return f"zm:{_tag(uuid)}:conditions"


def connections(uuid: str) -> str:
    """HASH: ``<connection id>:<fact>`` -> e-mail, Zoom user id, name, waiting-room times of each connection."""
    return f"zm:{_tag(uuid)}:connections"


def joins(uuid: str) -> str:
    """HASH: connection id -> its latest join time (ms)."""
    return f"zm:{_tag(uuid)}:joins"


def leaves(uuid: str) -> str:
    """HASH: connection id -> its latest leave time (ms)."""
    return f"zm:{_tag(uuid)}:leaves"


def people(uuid: str) -> str:
    """HASH: connection id -> the person it belongs to (e-mail, else ``zoom:<user id>``, else ``connection:<id>``)."""
    return f"zm:{_tag(uuid)}:people"


def present(uuid: str) -> str:
    """HASH: connection id -> its person, for the connections present (latest join after latest leave)."""
    return f"zm:{_tag(uuid)}:present"


@lru_cache(maxsize=4096)
def meeting_keys(uuid: str) -> tuple[str, ...]:
    """The keys of one meeting, in the order the roster script takes them."""
    return (seen(uuid), meeting(uuid), conditions(uuid), connections(uuid), joins(uuid), leaves(uuid), people(uuid),
            present(uuid))


DEADLINES = "zm:{monitor}:deadlines"
"""ZSET: "<uuid> <condition field> <began_at>" -> when its grace period ends (ms). A member whose condition has
cleared or changed is stale and is dropped when it comes due."""

CHECK_ATTEMPTS = "zm:{monitor}:check-attempts"
"""HASH: deadline member -> how often its check failed; the member's score in DEADLINES is then its next try."""

HOURS_CROSSED = "zm:{monitor}:hours-crossed"
"""STRING: the time (ms) up to which the lesson hours' boundaries have been crossed (out_of_hours begun or ended by
the clock alone)."""

IGNORED_COUNTS = "zm:{monitor}:ignored"
"""HASH: event kind -> deliveries of kinds that change no roster (first delivery only). It expires
IGNORED_COUNTS_SECONDS after its last count, and names at most IGNORED_KINDS_MAX kinds; the rest count as "other"."""

IGNORED_COUNTS_SECONDS = 7 * 24 * 3600
"""A week: the counts show what Zoom sends lately, and a monitor no longer sent anything forgets them."""

IGNORED_KINDS_MAX = 50
"""Distinct kinds counted by name; any kind beyond them, or not shaped as Zoom's, is counted as "other"."""


def ignored_seen(fingerprint: str) -> str:
    """STRING, expiring: marks a delivery of an ignored kind as counted."""
    return f"zm:{{monitor}}:ignored-seen:{fingerprint}"


def alert_sending(alert_id: int, channel: str) -> str:
    """STRING, expiring: a worker is sending this alert over this channel (no second one may start meanwhile)."""
    return f"zm:{{monitor}}:alert-sending:{alert_id}:{channel}"


ALERT_SENDING_SECONDS = 45
"""Longer than a delivery job may run (monitor.alerting.notify.DELIVERY_TIMEOUT, 30 s), so no two workers send at
once; shorter than RQ takes to retry the job of a worker killed mid-send (its heartbeat lasts 60 s past the last one,
then the first retry waits 10 s), so that retry finds the channel free."""


def sign_in_attempts(address: str, window: int) -> str:
    """STRING counter, expiring: sign-in attempts from one address in one window (that did not succeed)."""
    return f"zm:{{monitor}}:sign-in:{window}:{address}"


def sign_in_account_attempts(account_digest: str, window: int) -> str:
    """STRING counter, expiring: sign-in attempts on one account in one window (that did not succeed). The account
    is the keyed hash of the e-mail tried, never the e-mail."""
    return f"zm:{{monitor}}:sign-in-account:{window}:{account_digest}"


def zoom_api_token(app: str) -> str:
    """STRING, expiring when the token does: the access token of one Zoom app (``app``: a digest of its URL, account
    and client id), with its scopes and when to renew it, as JSON; shared by every process."""
    return f"zm:{{monitor}}:zoom-api-token:{app}"


def zoom_api_token_lock(app: str) -> str:
    """STRING, expiring: one process is fetching the app's access token; the others wait for it."""
    return f"zm:{{monitor}}:zoom-api-token-lock:{app}"


ZOOM_API_TOKEN_LOCK_SECONDS = 30
"""Long enough for a token request and its retries, as a rule; a lock that outlives its process frees itself then."""

ZOOM_API_NEXT_REQUEST = "zm:{monitor}:zoom-api-next-request"
"""STRING, expiring: when (seconds, the monitor's clock) the next request to Zoom's API may go. Every process takes
its turn from it, so the requests stay under [zoom_api] max_requests_per_second together."""

ZOOM_READ_SECONDS = 24 * 3600
"""A meeting's settings are read again on its first event after this long (contracts.md, Zoom API); an unknown host's
Zoom user id is looked up at most this often."""


def zoom_meeting_read(meeting_id: str) -> str:
    """STRING, expiring after ZOOM_READ_SECONDS: this meeting's settings were read (or a read is queued)."""
    return f"zm:{{monitor}}:zoom-meeting-read:{meeting_id}"


def zoom_user_email(zoom_user_id: str) -> str:
    """STRING, expiring after ZOOM_READ_SECONDS: the e-mail Zoom's API gave for this user id (empty: none)."""
    return f"zm:{{monitor}}:zoom-user-email:{zoom_user_id}"
