"""Reads and writes meeting rosters in Redis. Each delivery is one atomic script call."""
from __future__ import annotations

import re
from importlib import resources

from redis import Redis

from .. import keys
from ..redis_client import ThreadClient
from .changes import Change
from .state import MeetingState, Snapshot

APPLY_LUA = resources.files(__package__).joinpath("apply.lua").read_text()
COUNT_ONCE_LUA = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  local kind = ARGV[1]
  if redis.call('HEXISTS', KEYS[2], kind) == 0 then
    local named = redis.call('HLEN', KEYS[2]) - redis.call('HEXISTS', KEYS[2], 'other')
    if named >= tonumber(ARGV[4]) then kind = 'other' end
  end
  redis.call('HINCRBY', KEYS[2], kind, 1)
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return 1
end
return 0
"""

OTHER_KIND = "other"
_ZOOM_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
"""Zoom's kinds are words joined by dots, e.g. ``meeting.rtms_started``."""
LONGEST_KIND = 64


def counted_kind(kind: str) -> str:
    """The name an ignored kind is counted under: itself when shaped as Zoom's, else "other"."""
    return kind if len(kind) <= LONGEST_KIND and _ZOOM_KIND.fullmatch(kind) else OTHER_KIND


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _decode(mapping: dict) -> dict[str, str]:
    return {text(k): text(v) for k, v in mapping.items()}


def _pairs(flat: list[str]) -> dict[str, str]:
    return dict(zip(flat[::2], flat[1::2]))


class RosterStore:
    def __init__(self, redis: Redis, thread_client: ThreadClient | None = None):
        self.redis = redis
        self.thread_client = thread_client or ThreadClient(redis)
        self._apply = redis.register_script(APPLY_LUA)
        self._count_once = redis.register_script(COUNT_ONCE_LUA)

    def apply(self, change: Change) -> tuple[bool, Snapshot]:
        """Applies a change; False when this delivery was applied before (nothing changed then). Either way, the
        meeting as it now stands."""
        args = [change.fingerprint, keys.MEETING_RETENTION_SECONDS]
        for op in change.ops:
            args.extend(op)
        reply = self.thread_client.run(self._apply, keys.meeting_keys(change.uuid), args)
        applied, meeting, present, conditions = reply
        return bool(applied), Snapshot(change.uuid, _pairs(meeting), tuple(present), _pairs(conditions))

    def load(self, uuid: str) -> MeetingState | None:
        pipe = self.redis.pipeline(transaction=False)
        for key in keys.meeting_keys(uuid)[1:7]:
            pipe.hgetall(key)
        meeting, *rest = pipe.execute()
        if not meeting:
            return None
        return MeetingState(uuid, _decode(meeting), *map(_decode, rest))

    def meeting_uuids(self) -> list[str]:
        found = []
        for key in self.redis.scan_iter(match=keys.meeting("*"), count=500):
            key = text(key)
            found.append(key[key.index("{") + 1:key.rindex("}")])
        return sorted(found)

    def count_ignored(self, kind: str, fingerprint: str) -> bool:
        """Counts a delivery of a kind that changes no roster; False when it was counted before."""
        return bool(self._count_once(keys=[keys.ignored_seen(fingerprint), keys.IGNORED_COUNTS],
                                     args=[counted_kind(kind), keys.MEETING_RETENTION_SECONDS,
                                           keys.IGNORED_COUNTS_SECONDS, keys.IGNORED_KINDS_MAX]))

    def ignored_counts(self) -> dict[str, int]:
        return {k: int(v) for k, v in _decode(self.redis.hgetall(keys.IGNORED_COUNTS)).items()}
