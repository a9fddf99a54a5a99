"""The page registry: every page once, with the roles that may open it (issue 6 enforces roles)."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "analyst", "admin")


@dataclass(frozen=True)
class PageSpec:
    path: str  # file under pages/
    title_key: str  # key in lib/i18n.TEXT
    icon: str  # Material Symbols: bundled with Streamlit, no emoji font needed on intranet PCs
    url_path: str
    roles: tuple[str, ...] = ROLES
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec("pages/overview.py", "page_overview", ":material/dashboard:", "overview", default=True),
    PageSpec("pages/coverage.py", "page_coverage", ":material/groups:", "coverage"),
    PageSpec("pages/training.py", "page_training", ":material/school:", "training"),
    PageSpec("pages/employment.py", "page_employment", ":material/work:", "employment"),
    PageSpec("pages/screening.py", "page_screening", ":material/health_and_safety:", "screening"),
    PageSpec("pages/targets.py", "page_targets", ":material/flag:", "targets"),
    PageSpec("pages/upload.py", "page_upload", ":material/upload_file:", "upload", roles=("analyst", "admin")),
    PageSpec("pages/meeting.py", "page_meeting", ":material/present_to_all:", "meeting"),
    PageSpec("pages/account.py", "page_account", ":material/person:", "account"),
    PageSpec("pages/admin.py", "page_admin", ":material/admin_panel_settings:", "admin", roles=("admin",)),
]


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]
