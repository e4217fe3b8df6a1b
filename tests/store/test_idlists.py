"""`in_list` / `not_in_list`: an integer list bound as one parameter, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, Integer, MetaData, Table, insert, select

from service.store.idlists import in_list, not_in_list

BIG = 2**63 - 1  # band keys are signed 64-bit integers
VALUES = [(1, 5), (2, -BIG - 1), (3, BIG), (4, None), (5, 7)]


def _probe(engine: Engine) -> Table:
    table = Table(
        "idlist_probe", MetaData(), Column("id", Integer, primary_key=True), Column("v", BigInteger)
    )
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": i, "v": v} for i, v in VALUES])
    return table


def test_in_list_and_not_in_list_match_sql_in_and_not_in(engine: Engine) -> None:
    t = _probe(engine)
    among = select(t.c.id).where(in_list(t.c.v, "vs")).order_by(t.c.id)
    outside = select(t.c.id).where(not_in_list(t.c.v, "vs")).order_by(t.c.id)
    with engine.connect() as conn:

        def ids(stmt: object, vs: list[int]) -> list[int]:
            return list(conn.execute(stmt, {"vs": vs}).scalars())  # type: ignore[call-overload]

        assert ids(among, [7, BIG, -BIG - 1]) == [2, 3, 5]
        assert ids(among, [5]) == [1]  # the same statement, another list
        assert ids(among, []) == []
        assert ids(outside, [5, BIG]) == [2, 5]  # NULL is neither in nor out, as with SQL's NOT IN
        assert ids(outside, []) == [1, 2, 3, 4, 5]  # NULL NOT IN (no value) holds, as in SQL
        assert ids(among, list(range(1000)) + [7]) == [1, 5]
