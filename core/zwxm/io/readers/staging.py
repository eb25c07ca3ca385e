"""A staging table in the database itself (`zwxm import --from-table`), e.g. filled by sqlite-utils."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import InputError, Problem
from ...store import Store
from .base import RawRow, Source, _zip


class StagingTable(Source):
    """Rows of a table in the same database (e.g. loaded by `sqlite-utils insert ... --csv`); row = rowid."""

    def __init__(self, store: Store, table: str):
        if table not in store.db.table_names():
            raise InputError([Problem("table", table, "数据库中没有这张表", "no such table in the database")])
        self.label, self._store, self.table = table, store, table
        self.headers = [c.name for c in store.db[table].columns]

    def rows(self) -> Iterator[RawRow]:
        cursor = self._store.db.execute(f"SELECT rowid, * FROM [{self.table}] ORDER BY rowid")
        for values in cursor:
            yield values[0], _zip(self.headers, values[1:])
