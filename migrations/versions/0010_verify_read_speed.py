"""verify's reads: band indexes that cover the candidate look-up, and each unit's content stems

The band indexes end with the unit id (and the band index holds the speaker too), so that the
LSH candidate query (by band, by speaker and band, or by band but not some speakers) reads the
index alone. ``occurrences.stems`` holds a unit's content stems (`features(text).stems`,
`pack_stems`), filled here for the stored units: verify filters its candidates by them without
analysing each candidate's text.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 04:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 2000


def _backfill_stems() -> None:
    from service.variants.similarity import features, pack_stems

    conn = op.get_bind()
    occ = sa.table(
        "occurrences", sa.column("id", sa.Integer), sa.column("text", sa.Text), sa.column("stems", sa.Text)
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(occ.c.id, occ.c.text).where(occ.c.id > last).order_by(occ.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            occ.update().where(occ.c.id == sa.bindparam("oid")).values(stems=sa.bindparam("packed")),
            [{"oid": r.id, "packed": pack_stems(features(r.text).stems)} for r in rows],
        )
        last = rows[-1].id


def upgrade() -> None:
    op.drop_index("ix_occurrence_bands_band", table_name="occurrence_bands")
    op.drop_index("ix_occurrence_bands_speaker_band", table_name="occurrence_bands")
    op.create_index(
        "ix_occurrence_bands_speaker_band", "occurrence_bands", ["speaker_id", "band", "occurrence_id"]
    )
    op.create_index("ix_occurrence_bands_band", "occurrence_bands", ["band", "speaker_id", "occurrence_id"])
    op.add_column("occurrences", sa.Column("stems", sa.Text(), nullable=True))
    _backfill_stems()


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild would drop the table's triggers.
    op.drop_column("occurrences", "stems")
    op.drop_index("ix_occurrence_bands_band", table_name="occurrence_bands")
    op.drop_index("ix_occurrence_bands_speaker_band", table_name="occurrence_bands")
    op.create_index("ix_occurrence_bands_speaker_band", "occurrence_bands", ["speaker_id", "band"])
    op.create_index("ix_occurrence_bands_band", "occurrence_bands", ["band"])
