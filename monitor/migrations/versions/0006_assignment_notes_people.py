"""Assignment with a due date, notes (append-only), and the people each incident concerns (for chronologies).

Revision ID: 0006
Revises: 0005
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER incident_notes_no_update BEFORE UPDATE ON incident_notes "
        "BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END",
        "CREATE TRIGGER incident_notes_no_delete BEFORE DELETE ON incident_notes "
        "BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION incident_notes_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'notes are append-only'; END $$",
        "CREATE TRIGGER incident_notes_append_only BEFORE UPDATE OR DELETE ON incident_notes "
        "FOR EACH ROW EXECUTE FUNCTION incident_notes_append_only()",
    ],
}


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("assigned_to", sa.String, nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date, nullable=True))
    op.create_table(
        "incident_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", name="fk_incident_notes_incident"),
                  nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("account_id", sa.Integer, nullable=True),
        sa.Column("author_email", sa.String, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_incident_notes_incident_id", "incident_notes", ["incident_id"])
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    people = op.create_table(
        "incident_people",
        sa.Column("incident_id", sa.Integer,
                  sa.ForeignKey("incidents.id", ondelete="CASCADE", name="fk_incident_people_incident"),
                  primary_key=True),
        sa.Column("email", sa.String, primary_key=True),
        sa.Column("person_key", sa.String(24), nullable=False),
        sa.Column("person_class", sa.String(16), nullable=False),
    )
    op.create_index("ix_incident_people_person_key", "incident_people", ["person_key"])
    _fill(people)


def _concerned(evidence: dict):
    """As monitor.incidents.concerned was at this revision: a migration keeps its own copy, so that it runs the same
    whatever the code becomes."""
    for cls, people in (evidence.get("roster") or {}).items():
        for person in people:
            if person.get("email"):
                yield person["email"], cls
    host = evidence.get("host") or {}
    if host.get("email") and host.get("class"):
        yield host["email"], host["class"]


def _person_key(email: str) -> str:
    return hashlib.sha256(f"person:{email}".encode()).hexdigest()[:24]


def _fill(people: sa.Table) -> None:
    """The people of the incidents opened before this revision, from their occurrences' evidence."""
    occurrences = sa.table("incident_occurrences", sa.column("incident_id", sa.Integer), sa.column("evidence", sa.JSON))
    found: dict[tuple[int, str], str] = {}
    for incident_id, evidence in op.get_bind().execute(sa.select(occurrences)):
        for email, cls in _concerned(evidence):
            found.setdefault((incident_id, email), cls)
    if found:
        op.bulk_insert(people, [{"incident_id": i, "email": e, "person_key": _person_key(e), "person_class": c}
                                for (i, e), c in found.items()])


def downgrade() -> None:
    op.drop_index("ix_incident_people_person_key", table_name="incident_people")
    op.drop_table("incident_people")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER incident_notes_append_only ON incident_notes")
        op.execute("DROP FUNCTION incident_notes_append_only()")
    op.drop_index("ix_incident_notes_incident_id", table_name="incident_notes")
    op.drop_table("incident_notes")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("due_on")
        batch.drop_column("assigned_to")
