"""The SQLite store: connection, schema and migrations, search, queries and the writer (`Store`)."""

from .store import (PROJECT_FIELDS, SCHEMA_VERSION, SORTS, ProjectQuery, Refused, SchemaError, Store, connect,
                    default_db_path, event_hash, pinyin, resolve_db_path, timestamp)

__all__ = ["PROJECT_FIELDS", "SCHEMA_VERSION", "SORTS", "ProjectQuery", "Refused", "SchemaError", "Store", "connect",
           "default_db_path", "event_hash", "pinyin", "resolve_db_path", "timestamp"]
