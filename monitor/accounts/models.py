"""The accounts table. Its history lives in monitor/migrations: change both together."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ..incidents.models import Base

ROLES = ("dsl", "deputy", "headteacher", "viewer")


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("role IN ('dsl', 'deputy', 'headteacher', 'viewer')", name="ck_accounts_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str]
    totp_secret: Mapped[str | None]
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    """Part of every session's user id: changing it ends every session of the account."""
    disabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    """The authenticator's last time step used to sign in: a code of that step or an earlier one is refused."""
    totp_confirmed_at: Mapped[datetime | None]
    """When the authenticator app first gave a right code: until then the account signs in only to enrol it."""


class RecoveryCode(Base):
    """A code, given once at enrolment, that signs in once in place of the authenticator's (a lost phone)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE", name="fk_recovery_codes_account"), index=True)
    code_hash: Mapped[str]
    spent_at: Mapped[datetime | None]
