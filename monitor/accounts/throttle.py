"""How many sign-in attempts one address, and one account, may make in a window: a guesser is slowed down on both
counts, while the staff who share the guesser's network, or sign in successfully, are not.

Each attempt is counted before it is checked (so concurrent guesses cannot all slip under the limit); one that
succeeds is then taken back."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from redis import Redis

from .. import keys
from ..clock import Clock
from ..config import normalise_email

ADDRESS_TRIES = 20
ACCOUNT_TRIES = 10
WINDOW_SECONDS = 900


def account_digest(secret: str, email: str) -> str:
    """The key an account's attempts are counted under: the e-mail tried, normalised and hashed with the app's
    secret (Redis never holds the e-mail, nor a hash anyone could compute from a list of e-mails)."""
    return hmac.new(secret.encode(), normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Attempt:
    counted_under: tuple[str, ...]
    allowed: bool
    """False when the address or the account has had its tries in this window."""


class SignInThrottle:
    def __init__(self, redis: Redis, clock: Clock):
        self.redis = redis
        self.clock = clock

    def attempt(self, address: str, account: str) -> Attempt:
        """Counts an attempt from this address on this account (an account_digest)."""
        window = int(self.clock() // WINDOW_SECONDS)
        counted_under = (keys.sign_in_attempts(address, window), keys.sign_in_account_attempts(account, window))
        pipe = self.redis.pipeline(transaction=True)
        for key in counted_under:
            pipe.incr(key)
            pipe.expire(key, 2 * WINDOW_SECONDS)
        from_address, _, on_account, _ = pipe.execute()
        return Attempt(counted_under, from_address <= ADDRESS_TRIES and on_account <= ACCOUNT_TRIES)

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt was right: it does not count against the address or the account."""
        pipe = self.redis.pipeline(transaction=True)
        for key in attempt.counted_under:
            pipe.decr(key)
        pipe.execute()
