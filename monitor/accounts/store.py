"""Accounts in the database: passwords hashed with scrypt, a TOTP second factor, lock-out after failed sign-ins."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..config import EMAIL_RE, normalise_email
from .models import ROLES, Account

accounts = Account.__table__
MIN_PASSWORD = 12
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
ISSUER = "Zoom safeguarding monitor"


class AccountError(ValueError):
    """An account cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Person:
    """A signed-in member of staff, as Flask-Login needs them."""

    id: int
    email: str
    name: str
    role: str
    needs_code: bool

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


def _person(row) -> Person:
    return Person(row.id, row.email, row.name, row.role, row.totp_secret is not None)


class AccountStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, email: str, name: str, role: str, password: str, *, totp: bool, at: datetime) -> str | None:
        """Makes an account; returns the otpauth:// URI to enrol an authenticator app when it has a second factor.
        DSL accounts always have one."""
        email = normalise_email(email)
        if not EMAIL_RE.match(email):
            raise AccountError(f"not an e-mail address: {email!r}")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
        secret = pyotp.random_base32() if totp or role == "dsl" else None
        try:
            with self.engine.begin() as conn:
                conn.execute(accounts.insert().values(
                    email=email, name=name.strip() or email, role=role, totp_secret=secret, created_at=at,
                    password_hash=generate_password_hash(password, method="scrypt")))
        except IntegrityError:
            raise AccountError(f"an account for {email} exists already") from None
        return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER) if secret else None

    def get(self, account_id: int) -> Person | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return _person(row) if row else None

    def all(self) -> list[Person]:
        with self.engine.connect() as conn:
            return [_person(r) for r in conn.execute(select(accounts).order_by(accounts.c.email))]

    def check_password(self, email: str, password: str, at: datetime) -> Person | None:
        """The account, when the password is right and the account is not locked; five failures in a row lock it
        for 15 minutes (the same answer either way, so a guesser learns nothing)."""
        with self.engine.begin() as conn:
            row = conn.execute(select(accounts).where(accounts.c.email == normalise_email(email))).first()
            if row is None:
                check_password_hash(generate_password_hash("x", method="scrypt"), password)  # same time as a real try
                return None
            if row.locked_until is not None and row.locked_until > at:
                return None
            if not check_password_hash(row.password_hash, password):
                failures = row.failed_logins + 1
                conn.execute(update(accounts).where(accounts.c.id == row.id).values(
                    failed_logins=failures, locked_until=at + LOCK_FOR if failures >= LOCK_AFTER else None))
                return None
            conn.execute(update(accounts).where(accounts.c.id == row.id).values(failed_logins=0, locked_until=None))
        return _person(row)

    def check_code(self, account_id: int, code: str, at: datetime) -> bool:
        """The authenticator's current code (or the one before or after: clocks drift)."""
        with self.engine.connect() as conn:
            secret = conn.execute(select(accounts.c.totp_secret).where(accounts.c.id == account_id)).scalar_one_or_none()
        return bool(secret) and pyotp.TOTP(secret).verify(code.strip(), for_time=at, valid_window=1)
