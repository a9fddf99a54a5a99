"""How every ``python -m lib.…`` command ends when the DuckDB file is held by another process."""
from __future__ import annotations

from typing import Callable

from lib import cli
from lib.warehouse.engine import WarehouseLocked

LOCKED = cli.REFUSED  # a held file is a refusal: the command changed nothing


def locked_line(exc: WarehouseLocked) -> str:
    """One line, both languages: which file, who holds it, and the two ways out."""
    holder = f" (PID {exc.pid})" if exc.pid else ""
    return (f"the warehouse file {exc.path} is held by another process{holder}, usually the "
            "running app: stop it and run the command again, or use PostgreSQL (set HALFSKY_DB_URL) "
            f"to run both / 数据仓库文件 {exc.path} 正被另一个进程{holder}（通常是正在运行的应用）"
            "占用：请先停止应用再运行此命令，或改用 PostgreSQL（设置 HALFSKY_DB_URL）以便同时运行。")


def run(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """``main(argv)``'s exit code; a held DuckDB file is one ``refused:`` line on stderr and exit 2
    instead of the driver's chained tracebacks, which told an operator nothing they could act on."""
    try:
        return main(argv)
    except WarehouseLocked as exc:
        return cli.refuse(locked_line(exc))
