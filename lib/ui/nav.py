"""The page registry: every page once, with the roles that may open it (the frame refuses the page
to every other role)."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "analyst", "admin")


@dataclass(frozen=True)
class PageSpec:
    path: str  # file under views/ (not pages/: Streamlit would auto-run those)
    title_key: str  # key in lib/i18n.TEXT
    icon: str  # Material Symbols: bundled with Streamlit, no emoji font needed on intranet PCs
    url_path: str
    roles: tuple[str, ...] = ROLES
    default: bool = False


PAGES: list[PageSpec] = [
    PageSpec("views/overview.py", "page_overview", ":material/dashboard:", "overview", default=True),
    PageSpec("views/coverage.py", "page_coverage", ":material/groups:", "coverage"),
    PageSpec("views/training.py", "page_training", ":material/school:", "training"),
    PageSpec("views/employment.py", "page_employment", ":material/work:", "employment"),
    PageSpec("views/screening.py", "page_screening", ":material/health_and_safety:", "screening"),
    PageSpec("views/targets.py", "page_targets", ":material/flag:", "targets"),
    PageSpec("views/upload.py", "page_upload", ":material/upload_file:", "upload", roles=("analyst", "admin")),
    PageSpec("views/completeness.py", "page_completeness", ":material/fact_check:", "completeness",
             roles=("analyst", "admin")),
    PageSpec("views/followup.py", "page_followup", ":material/assignment_turned_in:", "followup"),
    PageSpec("views/meeting.py", "page_meeting", ":material/present_to_all:", "meeting"),
    PageSpec("views/account.py", "page_account", ":material/person:", "account"),
    PageSpec("views/admin.py", "page_admin", ":material/admin_panel_settings:", "admin", roles=("admin",)),
]


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]
