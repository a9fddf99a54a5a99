"""Today's date for everything that depends on it (the demo's last month, default periods, reports).

``HALFSKY_TODAY=YYYY-MM-DD`` pins it: tests pin it so results never depend on the day they run, and
a demo can be shown as it stood on a given day. Unset (the default), it is the system date.
"""
from __future__ import annotations

import datetime as dt
from lib import settings

ENV = settings.TODAY.name


def today() -> dt.date:
    """The pinned date if ``HALFSKY_TODAY`` is set (and valid), else the system date."""
    return settings.today() or dt.date.today()


def now() -> dt.datetime:
    """This minute on today's date (``today``): the time a picture or a file says it was made.
    Under a pinned date the clock's time of day still runs, so two files of one day differ."""
    moment = dt.datetime.now()
    return dt.datetime.combine(today(), moment.time().replace(microsecond=0))
