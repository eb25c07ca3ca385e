"""The SQLite store: the connection (connection.py), the schema and its migrations (schema.py), pinyin
search (search.py), list queries (query.py), rows <-> model objects (rows.py) and `Store` (store.py, with
its derived tables in derived.py and verification and backup in integrity.py)."""

from .connection import connect, default_db_path, open_failure, resolve_db_path, timestamp
from .query import SORTS, ProjectQuery
from .rows import PROJECT_FIELDS, event_hash
from .schema import SCHEMA_VERSION, SchemaError
from .search import pinyin
from .store import Refused, Store

__all__ = ["PROJECT_FIELDS", "SCHEMA_VERSION", "SORTS", "ProjectQuery", "Refused", "SchemaError", "Store", "connect",
           "default_db_path", "event_hash", "open_failure", "pinyin", "resolve_db_path", "timestamp"]
