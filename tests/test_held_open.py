"""lib/warehouse/held_open.py: a long build keeps DuckDB's instance open with its memory capped,
and gives the previous limit back."""
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from lib.warehouse import held_open as ho


def _limit(engine) -> str:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT current_setting('memory_limit')").scalar_one()


def test_the_cap_holds_across_connections_and_is_lifted_after(tmp_path):
    engine = create_engine(f"duckdb:///{tmp_path / 'w.duckdb'}", poolclass=NullPool)
    with engine.connect() as keeper:  # so the instance (and its settings) outlive each connection
        before = _limit(engine)
        with ho.held_open(engine, "300MB"):
            during = [_limit(engine), _limit(engine)]  # two connections, opened and closed
        after = _limit(engine)
        keeper.close()
    assert during[0] == during[1] == "286.1 MiB" != before
    assert after == before
    engine.dispose()


def test_the_instance_stays_open_between_connections(tmp_path):
    """Without a held connection NullPool closes the instance and a setting is forgotten."""
    engine = create_engine(f"duckdb:///{tmp_path / 'w.duckdb'}", poolclass=NullPool)
    with ho.held_open(engine, "300MB"):
        with engine.connect() as conn:
            conn.exec_driver_sql("SET threads = 1")
        with engine.connect() as conn:
            assert int(conn.exec_driver_sql("SELECT current_setting('threads')").scalar_one()) == 1
    engine.dispose()


@pytest.mark.parametrize("size, ok", [("1GB", True), ("953.6 MiB", True), ("512MB", True),
                                      ("1GB'; DROP TABLE region; --", False), ("", False),
                                      ("1GB\n", False)])
def test_only_sizes_reach_the_statement(size, ok):
    if ok:
        assert ho._checked(size) == size
    else:
        with pytest.raises(ValueError):
            ho._checked(size)


def test_other_dialects_are_left_alone():
    engine = create_engine("sqlite://")
    with ho.held_open(engine):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1
