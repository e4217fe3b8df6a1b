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


def upgrade() -> None:
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_speakers_kind"), type_="check")
        batch_op.alter_column("key", existing_type=sa.String(length=300), nullable=True)
    op.execute("UPDATE speakers SET kind = 'description' WHERE kind = 'group'")
    op.execute("UPDATE speakers SET key = NULL WHERE key LIKE '~%'")
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f("ck_speakers_kind"), f"kind IN {KINDS}")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speaker_kind", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_quotes_speaker_kind"), f"speaker_kind IN {KINDS}")
    op.execute(
        "UPDATE quotes SET speaker_kind = (SELECT kind FROM speakers WHERE speakers.id = quotes.speaker_id) "
        "WHERE speaker_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_quotes_speaker_kind"), type_="check")
        batch_op.drop_column("speaker_kind")
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_speakers_kind"), type_="check")
    op.execute("UPDATE speakers SET kind = 'group' WHERE kind = 'description'")
    op.execute(
        "UPDATE speakers SET key = '~' || lower(name) || '#' || CAST(id AS VARCHAR(20)) WHERE key IS NULL"
    )
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=300), nullable=False)
        batch_op.create_check_constraint(batch_op.f("ck_speakers_kind"), f"kind IN {OLD_KINDS}")
