"""each quote carries its article's publication date (``quotes.published_at``), indexed

A search's date filter (``since``/``until``) was a condition on the joined article: checked for
every full-text match by a look-up in ``articles``, and on PostgreSQL a join that the planner,
misjudging how many quotes a phrase or a rare word matches, ran as a nested loop or hash join over
the whole range of matches. With the date on the quote the filter is a condition on the row that
the full-text match reads anyway.

The column is derived, never written by hand: triggers keep it equal to the article's date

- on a new quote, and on a quote whose ``article_id`` or ``published_at`` is changed (the value
  written is replaced by the article's);
- on an article whose ``published_at`` changes (its quotes follow).

Indexes: ``published_at``; on PostgreSQL also ``(-id, published_at)``, newest first within a
date range (`service.store.queries._ranked_postgresql`).

It is filled here for the stored quotes. On PostgreSQL that update leaves the old version of every
row behind, in the table and in each index (the full-text ones about double): autovacuum frees the
space for reuse but does not shrink them. On a large database, run
``CLUSTER quotes USING pk_quotes`` after the upgrade (not possible in the migration's transaction:
a CLUSTER there keeps the old versions, which that transaction deleted): 47 s at a million quotes
(the upgrade itself: 2.5 min); bench_search's p99 went from 50-52 ms after the upgrade to 45 ms, as
on a database built at this revision. (VACUUM FULL compacts too but keeps the rows' physical
order, which newest-first walks of the primary key need to follow the ids: the update below keeps
it nearly (correlation 0.95), the join it replaced scattered the rows (-0.31: p99 55-60 ms after a
VACUUM FULL).)

On SQLite the triggers go with the table if ``quotes`` or ``articles`` is ever rebuilt
(batch_alter_table): a later migration that rebuilds one must make them again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 12:00:00.000000
"""

from alembic import op


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ARTICLE_DATE = "(SELECT published_at FROM articles WHERE articles.id = new.article_id)"


def _postgresql() -> None:
    # Filled before the triggers are made (the migration holds the table's lock: no writer
    # comes in between), so that the update does not run them on every row. A look-up per quote,
    # not a join, and a scan from the first page (not from where another scan of the table is):
    # the new versions of the rows are written in the table's order, by id as inserted.
    op.execute("SET LOCAL synchronize_seqscans = off")
    op.execute(f"UPDATE quotes SET published_at = {_ARTICLE_DATE.replace('new.', 'quotes.')}")
    op.execute(
        "CREATE FUNCTION quotes_published_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.published_at := {_ARTICLE_DATE.replace('new.', 'NEW.')}; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER quotes_published_at BEFORE INSERT OR UPDATE OF article_id, published_at "
        "ON quotes FOR EACH ROW EXECUTE FUNCTION quotes_published_at()"
    )
    op.execute(
        "CREATE FUNCTION articles_published_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE quotes SET published_at = NEW.published_at WHERE article_id = NEW.id; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER articles_published_at AFTER UPDATE OF published_at ON articles FOR EACH ROW "
        "WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at) "
        "EXECUTE FUNCTION articles_published_at()"
    )


def _sqlite() -> None:
    # An AFTER trigger that updates its own row (SQLite's BEFORE triggers cannot set NEW); the
    # update does not fire it again (recursive triggers are off) and is skipped when the quote
    # already holds its article's date (ingest writes it).
    op.execute(f"UPDATE quotes SET published_at = {_ARTICLE_DATE.replace('new.', 'quotes.')}")
    set_date = f"UPDATE quotes SET published_at = {_ARTICLE_DATE} WHERE id = new.id; END"
    differs = f"WHEN new.published_at IS NOT {_ARTICLE_DATE} BEGIN "
    op.execute(f"CREATE TRIGGER quotes_published_at_ins AFTER INSERT ON quotes {differs}{set_date}")
    op.execute(
        f"CREATE TRIGGER quotes_published_at_upd AFTER UPDATE OF article_id, published_at ON quotes "
        f"{differs}{set_date}"
    )
    op.execute(
        "CREATE TRIGGER articles_published_at_upd AFTER UPDATE OF published_at ON articles "
        "WHEN old.published_at IS NOT new.published_at BEGIN "
        "UPDATE quotes SET published_at = new.published_at WHERE article_id = new.id; END"
    )


def upgrade() -> None:
    op.execute("ALTER TABLE quotes ADD COLUMN published_at DATE")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()
    op.execute("CREATE INDEX ix_quotes_published_at ON quotes (published_at)")
    if op.get_bind().dialect.name == "postgresql":
        # Newest first within a date range: ``ORDER BY -id`` walks this index alone (the primary
        # key gives id order too, and the planner preferred it), checking the date in the index
        # before reading a row (see `service.store.queries._ranked_postgresql`).
        op.execute("CREATE INDEX ix_quotes_newest_dated ON quotes ((-id), published_at)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_quotes_published_at")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_quotes_newest_dated")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER articles_published_at ON articles")
        op.execute("DROP TRIGGER quotes_published_at ON quotes")
        op.execute("DROP FUNCTION articles_published_at()")
        op.execute("DROP FUNCTION quotes_published_at()")
    else:
        for name in ("quotes_published_at_ins", "quotes_published_at_upd", "articles_published_at_upd"):
            op.execute(f"DROP TRIGGER {name}")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild would drop the table's triggers.
    op.execute("ALTER TABLE quotes DROP COLUMN published_at")
