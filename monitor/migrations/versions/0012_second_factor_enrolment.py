"""The second factor's enrolment: an account's authenticator app is confirmed by a first right code (until then the
account signs in only to enrol it), and recovery codes, kept hashed, each signing in once in place of a code.

Accounts that have signed in with a code already count as enrolled (their creation time stands in: the moment is not
known).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("totp_confirmed_at", UTC_TIME, nullable=True))
    op.execute("UPDATE accounts SET totp_confirmed_at = created_at WHERE totp_last_step IS NOT NULL")
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer,
                  sa.ForeignKey("accounts.id", ondelete="CASCADE", name="fk_recovery_codes_account"), nullable=False),
        sa.Column("code_hash", sa.String, nullable=False),
        sa.Column("spent_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_recovery_codes_account_id", "recovery_codes", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_recovery_codes_account_id", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("totp_confirmed_at")
