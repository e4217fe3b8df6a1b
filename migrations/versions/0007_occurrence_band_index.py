"""occurrence band index by band alone (verify looks up anyone's units)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 00:30:00.000000
"""

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_occurrence_bands_band', 'occurrence_bands', ['band'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_occurrence_bands_band', table_name='occurrence_bands')
