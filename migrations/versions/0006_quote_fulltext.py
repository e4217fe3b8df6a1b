"""full-text search of quotes: SQLite FTS5 table kept by triggers, PostgreSQL tsvector + GIN

Both use English stemming (FTS5's porter tokenizer over unicode61 without diacritics; the
``english`` text search configuration) and are filled from the stored quotes when created.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 00:50:00.000000
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # A stored generated column: filled for existing rows now, kept by PostgreSQL afterwards.
        op.execute(
            "ALTER TABLE quotes ADD COLUMN search tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(text, ''))) STORED"
        )
        op.execute("CREATE INDEX ix_quotes_search ON quotes USING gin (search)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='quotes', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER quotes_fts_ins AFTER INSERT ON quotes BEGIN "
        "INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER quotes_fts_del AFTER DELETE ON quotes BEGIN "
        "INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER quotes_fts_upd AFTER UPDATE OF text ON quotes BEGIN "
        "INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute("INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_quotes_search")
        op.execute("ALTER TABLE quotes DROP COLUMN search")
        return
    for name in ('ins', 'del', 'upd'):
        op.execute(f"DROP TRIGGER quotes_fts_{name}")
    op.execute("DROP TABLE quotes_fts")
