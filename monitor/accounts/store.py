"""Accounts in the database: passwords hashed with scrypt, a TOTP second factor (enrolled by its first right code,
with recovery codes for a lost phone), lock-out after failed sign-ins, sessions that end when the account changes.

A sign-in attempt is counted before its password or code is checked (one UPDATE that only a usable, unlocked account
passes), so concurrent guesses cannot get past the limit while scrypt runs; a right answer resets the count."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pyotp
from pyotp.utils import strings_equal
from sqlalchemy import Connection, Engine, and_, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..config import EMAIL_RE, normalise_email
from ..db import writing
from .models import ROLES, Account, RecoveryCode

accounts = Account.__table__
recovery_codes = RecoveryCode.__table__
MIN_PASSWORD = 12
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
ISSUER = "Zoom safeguarding monitor"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/l/i: read off paper. Ten characters of these are about 50 bits: no one guesses a code in five tries."""
RECOVERY_HASH = "scrypt:4096:8:1"
"""scrypt as for passwords, at an eighth of the work: a code is random, not a word a person chose, and a sign-in
with one may check all ten."""


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True)
class Person:
    """A signed-in member of staff, as Flask-Login needs them."""

    id: int
    email: str
    name: str
    role: str
    needs_code: bool
    session_version: int = 0
    disabled: bool = False
    enrolled: bool = True
    """False while the authenticator app of an account with a second factor has not yet given a right code."""

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        """What the session keeps: the session ends when the account's session version moves on."""
        return f"{self.id}:{self.session_version}"


def _person(row) -> Person:
    return Person(row.id, row.email, row.name, row.role, row.totp_secret is not None, row.session_version,
                  row.disabled, row.totp_secret is None or row.totp_confirmed_at is not None)


@dataclass(frozen=True)
class Enrolled:
    """An account whose authenticator app has just been confirmed, and its recovery codes, shown this once."""

    person: Person
    recovery_codes: list[str]


@dataclass(frozen=True)
class Enrolment:
    """What an authenticator app needs: the otpauth:// URI (its QR code), or the secret typed in by hand."""

    uri: str
    secret: str


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    return generate_password_hash(password, method="scrypt")


@cache
def _nobodys_hash() -> str:
    """A hash made as real ones are, of a password nobody knows: checking against it when there is no account to
    check takes as long as a real check."""
    return generate_password_hash(secrets.token_urlsafe(24), method="scrypt")


def _enrolment(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _new_recovery_code() -> str:
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{code[:5]}-{code[5:]}"


def _as_recovery_code(code: str) -> str | None:
    """The code as recovery codes are hashed, when it has their shape (an authenticator's code has six digits)."""
    plain = "".join(code.split()).replace("-", "").lower()
    return plain if len(plain) == 10 and set(plain) <= set(RECOVERY_ALPHABET) else None


def _matching_step(secret: str, code: str, at: datetime, after: int | None) -> int | None:
    """The authenticator's time step whose code this is (the current one, or the one before or after: clocks drift),
    when it is later than ``after``."""
    totp = pyotp.TOTP(secret)
    now = totp.timecode(at)
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and strings_equal(totp.generate_otp(step), code.strip()):
            return step
    return None


class AccountStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        _nobodys_hash()  # made now, so that no sign-in pays for it

    def add(self, email: str, name: str, role: str, password: str, *, totp: bool, at: datetime) -> str | None:
        """Makes an account; returns the otpauth:// URI to enrol an authenticator app when it has a second factor.
        DSL accounts always have one."""
        email = normalise_email(email)
        if not EMAIL_RE.match(email):
            raise AccountError(f"not an e-mail address: {email!r}")
        _check_role(role)
        secret = pyotp.random_base32() if totp or role == "dsl" else None
        try:
            with self.engine.begin() as conn:
                conn.execute(accounts.insert().values(
                    email=email, name=name.strip() or email, role=role, totp_secret=secret, created_at=at,
                    password_hash=_hash(password)))
        except IntegrityError:
            raise AccountError(f"an account for {email} exists already") from None
        return _enrolment(secret, email) if secret else None

    def get(self, account_id: int) -> Person | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return _person(row) if row else None

    def signed_in(self, session_id: str) -> Person | None:
        """The person a session belongs to (Person.get_id), while the session is still theirs: not after a sign-out,
        a change of password or role, or the account being disabled."""
        account_id, _, version = session_id.partition(":")
        if not (account_id.isdigit() and version.isdigit()):
            return None
        person = self.get(int(account_id))
        if person is None or person.disabled or person.session_version != int(version):
            return None
        return person

    def all(self) -> list[Person]:
        with self.engine.connect() as conn:
            return [_person(r) for r in conn.execute(select(accounts).order_by(accounts.c.email))]

    def check_password(self, email: str, password: str, at: datetime) -> Person | None:
        """The account, when the password is right and the account is usable; five failures in a row (passwords
        and codes) lock it for 15 minutes. No account, a locked or a disabled one: the same answer, in the same
        time, so a guesser learns nothing.

        For an account with a second factor a right password does not reset the failures: only its code does."""
        with writing(self.engine) as conn:
            row = _reserve_try(conn, accounts.c.email == normalise_email(email), at)
        if row is None:
            check_password_hash(_nobodys_hash(), password)
            return None
        if not check_password_hash(row.password_hash, password):
            return None
        with writing(self.engine) as conn:
            if row.totp_secret is None:
                _reset_tries(conn, row.id)
            else:
                _return_try(conn, row.id)
        return _person(row)

    def check_code(self, account_id: int, session_version: int, code: str, at: datetime) -> Person | None:
        """The account, when this is the authenticator's code of a time step not used before (the current one, or
        the one before or after: clocks drift), or one of its recovery codes not spent yet (it is spent now). A wrong
        code counts as a wrong password does. Not before the authenticator app is enrolled (confirm_second_factor)."""
        with writing(self.engine) as conn:
            row = _reserve_try(conn, and_(accounts.c.id == account_id,
                                          accounts.c.session_version == session_version), at)
        if row is None or row.totp_secret is None or row.totp_confirmed_at is None:
            return None
        recovery_code = _as_recovery_code(code)
        if recovery_code is not None:
            return _person(row) if self._spend_recovery_code(row.id, recovery_code, at) else None
        step = _matching_step(row.totp_secret, code, at, row.totp_last_step)
        if step is None:
            return None
        last_step = accounts.c.totp_last_step
        with writing(self.engine) as conn:
            used = conn.execute(update(accounts).where(accounts.c.id == row.id,
                                                       or_(last_step.is_(None), last_step < step))
                                .values(totp_last_step=step, failed_logins=0, locked_until=None)).rowcount
        return _person(row) if used else None

    def enrolment(self, account_id: int, session_version: int) -> Enrolment | None:
        """How to enrol the account's authenticator app, while no code of it has been accepted yet."""
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(
                accounts.c.id == account_id, accounts.c.session_version == session_version,
                accounts.c.disabled.is_(False), accounts.c.totp_secret.is_not(None),
                accounts.c.totp_confirmed_at.is_(None))).first()
        return Enrolment(_enrolment(row.totp_secret, row.email), row.totp_secret) if row else None

    def confirm_second_factor(self, account_id: int, session_version: int, code: str, at: datetime) -> Enrolled | None:
        """The account, now enrolled, when this is its authenticator's code (the app was set up right), with its new
        recovery codes (only their hashes are kept). Counted as a sign-in code is: a wrong one as a wrong password."""
        with writing(self.engine) as conn:
            row = _reserve_try(conn, and_(accounts.c.id == account_id, accounts.c.session_version == session_version,
                                          accounts.c.totp_confirmed_at.is_(None)), at)
        if row is None or row.totp_secret is None:
            return None
        step = _matching_step(row.totp_secret, code, at, row.totp_last_step)
        if step is None:
            return None
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
        hashes = [{"account_id": row.id, "code_hash": generate_password_hash(c.replace("-", ""), RECOVERY_HASH)}
                  for c in codes]
        with writing(self.engine) as conn:
            row = conn.execute(update(accounts).where(accounts.c.id == row.id, accounts.c.totp_confirmed_at.is_(None))
                               .values(totp_last_step=step, totp_confirmed_at=at, failed_logins=0, locked_until=None)
                               .returning(accounts)).first()
            if row is None:  # enrolled at the same moment by another request
                return None
            conn.execute(delete(recovery_codes).where(recovery_codes.c.account_id == row.id))
            conn.execute(insert(recovery_codes), hashes)
        return Enrolled(_person(row), codes)

    def recovery_codes_left(self, account_id: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).where(recovery_codes.c.account_id == account_id,
                                                           recovery_codes.c.spent_at.is_(None))).scalar_one()

    def _spend_recovery_code(self, account_id: int, code: str, at: datetime) -> bool:
        with self.engine.connect() as conn:
            unspent = conn.execute(select(recovery_codes.c.id, recovery_codes.c.code_hash).where(
                recovery_codes.c.account_id == account_id, recovery_codes.c.spent_at.is_(None))).all()
        match = next((r.id for r in unspent if check_password_hash(r.code_hash, code)), None)
        if match is None:
            return False
        with writing(self.engine) as conn:
            spent = conn.execute(update(recovery_codes).where(recovery_codes.c.id == match,
                                                              recovery_codes.c.spent_at.is_(None))
                                 .values(spent_at=at)).rowcount
            if spent:
                _reset_tries(conn, account_id)
        return bool(spent)

    def end_sessions(self, account_id: int) -> None:
        """Every session of the account ends (its sign-out)."""
        with writing(self.engine) as conn:
            conn.execute(update(accounts).where(accounts.c.id == account_id)
                         .values(session_version=accounts.c.session_version + 1))

    def disable(self, email: str) -> None:
        """The account can no longer sign in, and its sessions end."""
        self._change(email, disabled=True)

    def enable(self, email: str) -> None:
        self._change(email, disabled=False)

    def set_password(self, email: str, password: str) -> None:
        """A new password; the account's sessions end, and a lock-out is lifted."""
        self._change(email, password_hash=_hash(password), failed_logins=0, locked_until=None)

    def set_role(self, email: str, role: str) -> str | None:
        """A new role; the account's sessions end. An account made dsl without a second factor gets one: returns
        the otpauth:// URI to enrol it."""
        _check_role(role)
        secret = pyotp.random_base32()
        second_factor = {"totp_secret": func.coalesce(accounts.c.totp_secret, secret)} if role == "dsl" else {}
        row = self._change(email, role=role, **second_factor)
        return _enrolment(secret, row.email) if row.totp_secret == secret else None

    def _change(self, email: str, **values):
        """Changes the account and ends its sessions; AccountError when there is no such account."""
        email = normalise_email(email)
        with writing(self.engine) as conn:
            row = conn.execute(update(accounts).where(accounts.c.email == email)
                               .values(session_version=accounts.c.session_version + 1, **values)
                               .returning(accounts)).first()
        if row is None:
            raise AccountError(f"there is no account for {email}")
        return row


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")


def _reserve_try(conn: Connection, which, at: datetime):
    """Counts a try on the account before its answer is checked, in one statement, when the account is usable and
    not locked; the try that reaches LOCK_AFTER locks it (a right answer unlocks it again). Returns the account's
    row, or None when it cannot be tried."""
    locked_until = accounts.c.locked_until
    lock_over = and_(locked_until.is_not(None), locked_until <= at)
    tries = case((lock_over, 1), else_=accounts.c.failed_logins + 1)
    return conn.execute(
        update(accounts)
        .where(which, accounts.c.disabled.is_(False), or_(locked_until.is_(None), locked_until <= at))
        .values(failed_logins=tries,
                locked_until=case((tries >= LOCK_AFTER, literal(at + LOCK_FOR, locked_until.type)), else_=None))
        .returning(accounts)).first()


def _reset_tries(conn: Connection, account_id: int) -> None:
    conn.execute(update(accounts).where(accounts.c.id == account_id).values(failed_logins=0, locked_until=None))


def _return_try(conn: Connection, account_id: int) -> None:
    """A reserved try that was not a failure (a right password, the code still to come) no longer counts."""
    failures = accounts.c.failed_logins
    left = case((failures > 0, failures - 1), else_=0)
    conn.execute(update(accounts).where(accounts.c.id == account_id).values(
        failed_logins=left, locked_until=case((left >= LOCK_AFTER, accounts.c.locked_until), else_=None)))
