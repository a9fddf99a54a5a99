"""The warehouse: the one package that talks to the database (SQLAlchemy Core, DuckDB or PostgreSQL)."""
from lib.warehouse.engine import (WarehouseLocked, data_version, get_engine, resolve_url,
                                  write_transaction)

__all__ = ["WarehouseLocked", "data_version", "get_engine", "resolve_url", "write_transaction"]
