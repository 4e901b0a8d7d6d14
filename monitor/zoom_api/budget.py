"""The request budget that every process shares: Zoom's rate limits are the account's (and its other apps'), so the
monitor's processes take turns from one Redis key (keys.ZOOM_API_NEXT_REQUEST).

Requests are spaced evenly, ``SPACING / max_requests_per_second`` seconds apart, whichever process sends them: at
most the rate in any one-second window, fractional rates too (0.5/s: one every 2.5 s). The spacing leaves a quarter
spare, for a request that sets off on time may reach Zoom late and its successor on time: on a loaded machine (the
whole test suite at once) a tenth was measured not to be enough.
"""
from __future__ import annotations

from typing import Callable

from redis import Redis

from .. import keys

SPACING = 1.25
"""Seconds, divided by the rate, between two requests' turns."""

KEEP_MS = 60_000
"""How long the key outlives the last turn taken."""

TAKE_TURN_LUA = """
-- KEYS: the next turn. ARGV: now (s), the spacing (s), how long to keep the key past it (ms). Returns the turn taken.
local now = tonumber(ARGV[1])
local turn = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local after = turn + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.6f', after), 'PX', math.ceil((after - now) * 1000) + tonumber(ARGV[3]))
return string.format('%.6f', turn)
"""

HOLD_LUA = """
-- KEYS: the next turn. ARGV: now (s), no turn before this time (s), how long to keep the key past it (ms).
local now, until_ = tonumber(ARGV[1]), tonumber(ARGV[2])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', math.ceil((until_ - now) * 1000) + tonumber(ARGV[3]))
end
return 1
"""


class RequestBudget:
    def __init__(self, redis: Redis, max_requests_per_second: float, clock: Callable[[], float],
                 sleep: Callable[[float], None]):
        if not max_requests_per_second > 0:
            raise ValueError("max_requests_per_second must be more than 0")
        self.spacing = SPACING / max_requests_per_second
        self.clock, self.sleep = clock, sleep
        self._take_turn = redis.register_script(TAKE_TURN_LUA)
        self._hold = redis.register_script(HOLD_LUA)

    def wait_turn(self) -> None:
        """Returns when this process may send one request (sleeping until its turn)."""
        now = self.clock()
        turn = float(self._take_turn(keys=[keys.ZOOM_API_NEXT_REQUEST], args=[repr(now), repr(self.spacing), KEEP_MS]))
        if turn > now:
            self.sleep(turn - now)

    def hold(self, seconds: float) -> None:
        """No process takes a turn in the next ``seconds`` (Zoom answered 429: the account's limit is reached)."""
        now = self.clock()
        self._hold(keys=[keys.ZOOM_API_NEXT_REQUEST], args=[repr(now), repr(now + seconds), KEEP_MS])
