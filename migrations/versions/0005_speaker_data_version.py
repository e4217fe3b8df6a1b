"""speaker data version: a counter bumped by triggers whenever a speaker's statements change

Readers use it as a cheap validator (ETag) of everything listed under a speaker: the triggers
fire on any write path (ingest, re-resolution, manual fixes), so no code has to remember to bump it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 00:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BUMP = "UPDATE speakers SET data_version = data_version + 1 WHERE id = {}.speaker_id"

PG_FUNCTIONS = """
CREATE FUNCTION bump_speaker_data_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.speaker_id IS NOT NULL THEN
        UPDATE speakers SET data_version = data_version + 1 WHERE id = OLD.speaker_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.speaker_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.speaker_id IS DISTINCT FROM OLD.speaker_id) THEN
        UPDATE speakers SET data_version = data_version + 1 WHERE id = NEW.speaker_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION bump_own_data_version() RETURNS trigger AS $$
BEGIN
    NEW.data_version := OLD.data_version + 1;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_version", sa.BigInteger(), server_default="0", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTIONS)
        for table in ("occurrences", "statements"):
            op.execute(
                f"CREATE TRIGGER {table}_speaker_data_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION bump_speaker_data_version()"
            )
        op.execute(
            "CREATE TRIGGER speakers_data_version BEFORE UPDATE OF name, kind ON speakers "
            "FOR EACH ROW EXECUTE FUNCTION bump_own_data_version()"
        )
        return
    for table in ("occurrences", "statements"):
        op.execute(
            f"CREATE TRIGGER {table}_speaker_data_version_ins AFTER INSERT ON {table} "
            f"BEGIN {BUMP.format('NEW')}; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_speaker_data_version_del AFTER DELETE ON {table} "
            f"BEGIN {BUMP.format('OLD')}; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_speaker_data_version_upd AFTER UPDATE ON {table} "
            f"BEGIN {BUMP.format('OLD')}; "
            f"{BUMP.format('NEW')} AND NEW.speaker_id IS NOT OLD.speaker_id; END"
        )
    op.execute(
        "CREATE TRIGGER speakers_data_version AFTER UPDATE OF name, kind ON speakers "
        f"BEGIN {BUMP.replace('.speaker_id', '.id').format('NEW')}; END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("occurrences", "statements"):
            op.execute(f"DROP TRIGGER {table}_speaker_data_version ON {table}")
        op.execute("DROP TRIGGER speakers_data_version ON speakers")
        op.execute("DROP FUNCTION bump_speaker_data_version()")
        op.execute("DROP FUNCTION bump_own_data_version()")
    else:
        for table in ("occurrences", "statements"):
            for suffix in ("ins", "del", "upd"):
                op.execute(f"DROP TRIGGER {table}_speaker_data_version_{suffix}")
        op.execute("DROP TRIGGER speakers_data_version")
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_column("data_version")
