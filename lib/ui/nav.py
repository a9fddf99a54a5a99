"""The page registry: every page once, with the roles that may open it (issue 6 enforces roles)."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "analyst", "admin")


@dataclass(frozen=True)
class PageSpec:
    path: str  # file under pages/
    title_key: str  # key in lib/i18n.TEXT
    icon: str
    url_path: str
    roles: tuple[str, ...] = ROLES
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec("pages/overview.py", "page_overview", "📊", "overview", default=True),
    PageSpec("pages/coverage.py", "page_coverage", "🏘️", "coverage"),
    PageSpec("pages/training.py", "page_training", "📚", "training"),
    PageSpec("pages/employment.py", "page_employment", "💼", "employment"),
    PageSpec("pages/screening.py", "page_screening", "🩺", "screening"),
    PageSpec("pages/targets.py", "page_targets", "🎯", "targets"),
    PageSpec("pages/upload.py", "page_upload", "📤", "upload", roles=("analyst", "admin")),
    PageSpec("pages/meeting.py", "page_meeting", "📽️", "meeting"),
    PageSpec("pages/account.py", "page_account", "👤", "account"),
    PageSpec("pages/admin.py", "page_admin", "🛠️", "admin", roles=("admin",)),
]


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]
