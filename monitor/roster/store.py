"""Reads and writes meeting rosters in Redis. Each delivery is one atomic script call."""
from __future__ import annotations

from importlib import resources

from redis import Redis

from .. import keys
from .changes import Change

APPLY_LUA = resources.files(__package__).joinpath("apply.lua").read_text()
COUNT_ONCE_LUA = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  return 1
end
return 0
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _decode(mapping: dict) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in mapping.items()}


class RosterStore:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._apply = redis.register_script(APPLY_LUA)
        self._count_once = redis.register_script(COUNT_ONCE_LUA)

    def apply(self, change: Change) -> bool:
        """Applies a change; False when this delivery was applied before (nothing changes then)."""
        args = [change.fingerprint, keys.MEETING_RETENTION_SECONDS]
        for op in change.ops:
            args.extend(op)
        return bool(self._apply(keys=keys.meeting_keys(change.uuid), args=args))

    def count_ignored(self, kind: str, fingerprint: str) -> bool:
        """Counts a delivery of a kind that changes no roster; False when it was counted before."""
        return bool(self._count_once(keys=[keys.ignored_seen(fingerprint), keys.IGNORED_COUNTS],
                                     args=[kind, keys.MEETING_RETENTION_SECONDS]))

    def ignored_counts(self) -> dict[str, int]:
        return {k: int(v) for k, v in _decode(self.redis.hgetall(keys.IGNORED_COUNTS)).items()}

    def load(self, uuid: str) -> tuple[dict[str, str], dict[str, str]] | None:
        """The raw facts of one meeting: (meeting hash, connections hash), or None when unknown."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(keys.meeting(uuid))
        pipe.hgetall(keys.connections(uuid))
        meeting, connections = pipe.execute()
        if not meeting:
            return None
        return _decode(meeting), _decode(connections)

    def meeting_uuids(self) -> list[str]:
        found = []
        for key in self.redis.scan_iter(match=keys.meeting("*"), count=500):
            key = _text(key)
            found.append(key[key.index("{") + 1:key.rindex("}")])
        return sorted(found)
