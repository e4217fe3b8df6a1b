"""phrase search on PostgreSQL: each quote's pairs of adjacent words, indexed (GIN)

A phrase query (``'north' <-> 'korea'``) is answered by the tsvector's GIN index with every quote
that holds all of its words, each then checked against the stored tsvector: for a phrase of common
words, tens of thousands of rows read from the table to find a few thousand. ``quotes.search_pairs``
holds the quote's pairs of lexemes at adjacent positions (``'north korea'``), hashed to 4 bytes
(``hashtext``: a collision only lets a quote through to the tsvector's own check), computed from
the same tsvector by ``quote_phrase_pairs``. A quote that contains a phrase contains each adjacent
pair of it, so ``search_pairs @> quote_phrase_pairs(to_tsvector(phrase))`` narrows the candidates
to nearly the matches first (see `service.store.queries._fulltext`). SQLite's FTS5 matches
phrases in its index already: nothing changes there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:30:00.000000
"""

from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION quote_phrase_pairs(v tsvector) RETURNS int[] "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        "WITH p AS (SELECT l.lexeme, pos FROM unnest(v) AS l, unnest(l.positions) AS pos) "
        "SELECT coalesce(array_agg(DISTINCT hashtext(a.lexeme || ' ' || b.lexeme)), '{}') "
        "FROM p AS a JOIN p AS b ON b.pos = a.pos + 1 $$"
    )
    # A stored generated column: filled for existing rows now (the table is rewritten), kept by
    # PostgreSQL afterwards.
    op.execute(
        "ALTER TABLE quotes ADD COLUMN search_pairs int[] GENERATED ALWAYS AS "
        "(quote_phrase_pairs(to_tsvector('english'::regconfig, coalesce(text, '')))) STORED"
    )
    op.execute("CREATE INDEX ix_quotes_search_pairs ON quotes USING gin (search_pairs)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_quotes_search_pairs")
    op.execute("ALTER TABLE quotes DROP COLUMN search_pairs")
    op.execute("DROP FUNCTION quote_phrase_pairs(tsvector)")
