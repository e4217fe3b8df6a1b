"""speaker kinds: "group" becomes "description"; quotes keep their speaker's kind; speakers known
only by a short form have no key (instead of a "~" key prefix)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 00:50:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KINDS = "('person', 'organization', 'description', 'unknown')"
OLD_KINDS = "('person', 'organization', 'group', 'unknown')"
# SQLite rebuilds the speakers table: its own trigger (0005) goes with the old table and is made
# again; the other tables' triggers name speakers, so the rename is done the legacy way.
SQLITE_SPEAKER_TRIGGER = (
    "CREATE TRIGGER speakers_data_version AFTER UPDATE OF name, kind ON speakers "
    "BEGIN UPDATE speakers SET data_version = data_version + 1 WHERE id = NEW.id; END"
)


def _rebuild_speakers(change) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA legacy_alter_table=ON")
        op.execute("DROP TRIGGER IF EXISTS speakers_data_version")
    change()
    if sqlite:
        op.execute(SQLITE_SPEAKER_TRIGGER)
        op.execute("PRAGMA legacy_alter_table=OFF")


def _upgrade_speakers() -> None:
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_speakers_kind"), type_="check")
        batch_op.alter_column("key", existing_type=sa.String(length=300), nullable=True)
    op.execute("UPDATE speakers SET kind = 'description' WHERE kind = 'group'")
    op.execute("UPDATE speakers SET key = NULL WHERE key LIKE '~%'")
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f("ck_speakers_kind"), f"kind IN {KINDS}")


def _downgrade_speakers() -> None:
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_speakers_kind"), type_="check")
    op.execute("UPDATE speakers SET kind = 'group' WHERE kind = 'description'")
    op.execute("UPDATE speakers SET key = '~' || lower(name) || '#' || CAST(id AS VARCHAR(20)) WHERE key IS NULL")
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=300), nullable=False)
        batch_op.create_check_constraint(batch_op.f("ck_speakers_kind"), f"kind IN {OLD_KINDS}")


def upgrade() -> None:
    _rebuild_speakers(_upgrade_speakers)
    # quotes is not rebuilt on SQLite (its full-text triggers would go with it): a native ADD COLUMN.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE quotes ADD COLUMN speaker_kind VARCHAR(20) "
            f"CONSTRAINT ck_quotes_speaker_kind CHECK (speaker_kind IN {KINDS})"
        )
    else:
        op.add_column("quotes", sa.Column("speaker_kind", sa.String(length=20), nullable=True))
        op.create_check_constraint(op.f("ck_quotes_speaker_kind"), "quotes", f"speaker_kind IN {KINDS}")
    op.execute(
        "UPDATE quotes SET speaker_kind = (SELECT kind FROM speakers WHERE speakers.id = quotes.speaker_id) "
        "WHERE speaker_id IS NOT NULL"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE quotes DROP COLUMN speaker_kind")
    else:
        op.drop_constraint(op.f("ck_quotes_speaker_kind"), "quotes", type_="check")
        op.drop_column("quotes", "speaker_kind")
    _rebuild_speakers(_downgrade_speakers)
