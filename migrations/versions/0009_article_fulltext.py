"""full-text search of article texts: SQLite FTS5 table kept by triggers, PostgreSQL tsvector + GIN

The fact-check look-up finds a claim in the stored article texts when it is not among the recorded
quotes (`service.store.passages`). As for quotes (0006): English stemming (FTS5's porter tokenizer
over unicode61 without diacritics; the ``english`` text search configuration), filled from the
stored articles when created. PostgreSQL indexes the first ``ARTICLE_SEARCH_CHARS`` characters of a
text (a tsvector holds at most 1 MB; an article may be longer). On SQLite the triggers go with the
table if ``articles`` is ever rebuilt (batch_alter_table): a later migration that rebuilds it must
make them again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 03:20:00.000000
"""

from alembic import op


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ARTICLE_SEARCH_CHARS = 300_000


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS "
            f"(to_tsvector('english'::regconfig, left(coalesce(text, ''), {ARTICLE_SEARCH_CHARS}))) STORED"
        )
        op.execute("CREATE INDEX ix_articles_search ON articles USING gin (search)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(text, content='articles', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_ins AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_del AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_upd AFTER UPDATE OF text ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO articles_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_articles_search")
        op.execute("ALTER TABLE articles DROP COLUMN search")
        return
    for name in ("ins", "del", "upd"):
        op.execute(f"DROP TRIGGER articles_fts_{name}")
    op.execute("DROP TABLE articles_fts")
