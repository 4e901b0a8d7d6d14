"""A delivery attempt is written before it is sent: its result stays empty while it is under way, and for good
when the worker sending it is killed (the outcome is unknown).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.alter_column("ok", existing_type=sa.Boolean, nullable=True)


def downgrade() -> None:
    op.execute("UPDATE alert_deliveries SET ok = false WHERE ok IS NULL")
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.alter_column("ok", existing_type=sa.Boolean, nullable=False)
