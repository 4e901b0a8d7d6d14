"""Breach conditions and check deadlines in Redis (keys in monitor.keys)."""
from __future__ import annotations

import json

from redis import Redis

from .. import keys
from ..redis_client import ThreadClient
from ..roster.store import text
from .plan import Entry

RECONCILE_LUA = """
-- KEYS: meeting, conditions. ARGV: the meeting version evaluated, ttl, then field/value pairs ('' deletes).
-- Writes only if no later delivery was applied meanwhile: the evaluation of the latest state wins.
if (redis.call('HGET', KEYS[1], 'events') or '0') ~= ARGV[1] then
  return 0
end
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[2], ARGV[i])
  else
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  end
end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
return 1
"""

RECORD_LUA = """
-- KEYS: seen, conditions. ARGV: the delivery's judged mark, ttl, then field/value pairs.
-- An event is judged once: a repeated delivery records nothing, whatever the roster says by then.
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
for i = 3, #ARGV, 2 do
  redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
return 1
"""

SETTLE_LUA = """
-- KEYS: conditions. ARGV: field, the value expected, the new value ('' deletes). Compare-and-set.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
return 1
"""


def decode_entries(conditions: dict[str, str]) -> dict[str, Entry]:
    return {name: Entry.decode(value) for name, value in conditions.items()}


def deadline_member(uuid: str, name: str, entry: Entry) -> str:
    """A deadline in keys.DEADLINES (or the in-memory state's); stale once its condition has cleared or changed."""
    return json.dumps([uuid, name, entry.began])


def judged_mark(fingerprint: str) -> str:
    """Kept with a meeting's applied deliveries: this delivery's event has been judged."""
    return f"judged|{fingerprint}"


def due_deadline(member: str) -> tuple[str, str, int, str]:
    """(uuid, condition field, began, member) of a deadline that has come."""
    return (*json.loads(member), member)


class ConditionState:
    def __init__(self, redis: Redis, thread_client: ThreadClient | None = None):
        self.redis = redis
        self.thread_client = thread_client or ThreadClient(redis)
        self._reconcile = redis.register_script(RECONCILE_LUA)
        self._settle = redis.register_script(SETTLE_LUA)
        self._record = redis.register_script(RECORD_LUA)

    def reconcile(self, uuid: str, version: str, writes: dict[str, Entry | None],
                  deadlines: list[tuple[str, Entry]]) -> bool:
        """Stores a plan's writes unless a later delivery changed the meeting meanwhile. The deadlines of its new
        conditions are added first, in the same round trip: a stored condition always has its deadline."""
        args: list = [version, keys.MEETING_RETENTION_SECONDS]
        for name, entry in writes.items():
            args += [name, entry.encode() if entry else ""]
        adds = [("ZADD", keys.DEADLINES, entry.deadline, deadline_member(uuid, name, entry))
                for name, entry in deadlines]
        return bool(self.thread_client.run(self._reconcile, (keys.meeting(uuid), keys.conditions(uuid)), args, *adds))

    def record(self, uuid: str, judged: str, entries: dict[str, Entry]) -> bool:
        """Stores the happenings an event was judged to be, with their deadlines (so that the sweep opens their
        incidents if this process cannot), unless the event was judged before; False then."""
        args: list = [judged_mark(judged), keys.MEETING_RETENTION_SECONDS]
        for name, entry in entries.items():
            args += [name, entry.encode()]
        adds = [("ZADD", keys.DEADLINES, entry.deadline, deadline_member(uuid, name, entry))
                for name, entry in entries.items()]
        return bool(self.thread_client.run(self._record, (keys.seen(uuid), keys.conditions(uuid)), args, *adds))

    def hours_crossed(self, now: int) -> int | None:
        """Notes that the lesson hours' boundaries up to ``now`` (ms) are crossed; when they were last, if ever."""
        previous = self.redis.getset(keys.HOURS_CROSSED, now)
        return int(previous) if previous is not None else None

    def settle(self, uuid: str, name: str, expected: Entry, new: Entry | None) -> bool:
        """Replaces an entry only if it is still the one expected."""
        return bool(self._settle(keys=[keys.conditions(uuid)],
                                 args=[name, expected.encode(), new.encode() if new else ""]))

    def entry(self, uuid: str, name: str) -> Entry | None:
        value = self.redis.hget(keys.conditions(uuid), name)
        return Entry.decode(text(value)) if value is not None else None

    def due(self, now: int) -> list[tuple[str, str, int, str]]:
        """(uuid, condition field, began, member) of the deadlines strictly before now, earliest first."""
        members = self.redis.zrangebyscore(keys.DEADLINES, "-inf", f"({now}")
        return [due_deadline(text(m)) for m in members]

    def next_deadline(self) -> int | None:
        first = self.redis.zrange(keys.DEADLINES, 0, 0, withscores=True)
        return int(first[0][1]) if first else None

    def drop_deadline(self, member: str) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrem(keys.DEADLINES, member)
        pipe.hdel(keys.CHECK_ATTEMPTS, member)
        pipe.execute()

    def count_failure(self, member: str) -> int:
        """How often this check has failed, this time included."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hincrby(keys.CHECK_ATTEMPTS, member, 1)
        pipe.expire(keys.CHECK_ATTEMPTS, keys.MEETING_RETENTION_SECONDS)
        return int(pipe.execute()[0])

    def retry_later(self, member: str, at: int) -> None:
        """Moves a failed check's deadline to ``at`` (ms)."""
        self.redis.zadd(keys.DEADLINES, {member: at}, xx=True)
