"""What the pages do with accounts and uploads, always as the signed-in account.

Every function takes the account (``lib.auth.accounts.User``) and narrows to its ``Scope`` here, so a
page never hands a scope (or an admin's ``within``) to lib.auth or lib.warehouse by itself: a page
that forgets the account does not call at all.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from lib.auth import accounts as auth_accounts
from lib.auth import links, web_sessions
from lib import clock
from lib.completeness import may_set_rule, set_deadline_day
from lib.followup import service as followup
from lib.followup.model import Item, Note
from lib.auth.accounts import User
from lib.geo.importer import ImportReport, import_boundaries
from lib.ingest.api import Outcome, load_prepared, prepare_upload
from lib.ingest.pipeline import Prepared
from lib.ingest.progress import parse_progress, upload_progress
from lib.ui import data
from lib.warehouse import accounts_store
from lib.warehouse.batches import RollbackResult, list_batches
from lib.warehouse.indicators_admin import add_indicator, may_change_catalog, update_target
from lib.warehouse.progress_store import add_alias, aliases_frame, remove_alias, rollback_any
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import Scope, ScopeError

# --- uploads ----------------------------------------------------------------------------------


def prepare(account: User, raw: bytes, filename: str, *, sheet: str | None = None,
            dataset: str | None = None) -> Prepared:
    """Read and check an upload as ``account``: rows outside its scope are the file's problems."""
    return prepare_upload(data.engine(), raw, filename, sheet=sheet, dataset=dataset,
                          scope=account.scope)


def load(account: User, prepared: Prepared, *, mode: str, dry_run: bool = False) -> Outcome:
    """Load (or plan) a prepared file as ``account``; a file prepared for a wider scope than the
    account's (an earlier session's) is refused before anything is read or written."""
    if not account.scope.covers(prepared.scope):
        raise ScopeError(f"the file was checked for scope {prepared.scope.prefix or 'all'}, "
                         f"not {account.scope.prefix or 'all'}")
    return load_prepared(data.engine(), prepared, mode=mode, user=account.username,
                         dry_run=dry_run)


def load_progress_table(account: User, raw: bytes, filename: str, *, dry_run: bool = False,
                        as_of: dt.date | None = None) -> Outcome:
    return upload_progress(data.engine(), raw, filename, scope=account.scope,
                           user=account.username, dry_run=dry_run, as_of=as_of)


def read_progress_table(raw: bytes, filename: str, *, as_of: dt.date | None = None):
    """A progress table read for its preview: names resolve against every region and alias, as
    the load resolves them; a row outside the account's scope is refused by the load."""
    return parse_progress(raw, filename, regions_frame(data.engine()),
                          aliases_frame(data.engine(), Scope.everything()), as_of=as_of)


def view_scope(region_code: str) -> Scope:
    """The scope of the region a page shows, seen from the signed-in account's (bound) scope."""
    return data.bound_scope().narrow(region_code)


def batches(account: User) -> pd.DataFrame:
    """The upload batches of ``account``'s scope, newest first."""
    return list_batches(data.engine(), account.scope)


def rollback(account: User, batch_id: int) -> RollbackResult:
    """Roll a batch back as ``account`` (its role and scope decide; RollbackRefused otherwise)."""
    return rollback_any(data.engine(), int(batch_id), user=account.username,
                        scope=account.scope, role=account.role)


def import_township_boundaries(account: User, path: Path, *, crs: str, source: str
                               ) -> ImportReport:
    """Official township polygons, written only for regions inside ``account``'s scope."""
    return import_boundaries(data.engine(), path, "township", crs=crs, scope=account.scope,
                             source=source)


def aliases(account: User) -> pd.DataFrame:
    return aliases_frame(data.engine(), account.scope)


def add_region_alias(account: User, alias: str, code: str, display_name: str | None) -> None:
    add_alias(data.engine(), alias, code, display_name=display_name, user=account.username,
              scope=account.scope)


def remove_region_alias(account: User, alias: str) -> bool:
    """Remove an alias inside ``account``'s scope; False when none there has that name."""
    return remove_alias(data.engine(), alias, user=account.username, scope=account.scope)


# --- the reporting deadline rule -----------------------------------------------------------------


def may_set_deadline_rule(admin: User) -> bool:
    return may_set_rule(data.engine(), admin.scope)


def set_deadline_rule(admin: User, day: int, *, dataset: str) -> None:
    set_deadline_day(data.engine(), day, user=admin.username, scope=admin.scope, dataset=dataset)


# --- the indicator catalog ----------------------------------------------------------------------


def may_edit_catalog(account: User) -> bool:
    return may_change_catalog(account.scope)


def set_target(account: User, code: str, value: Any, year: Any) -> dict:
    return update_target(data.engine(), code, value, year, account.username, scope=account.scope)


def new_indicator(account: User, row: Mapping[str, Any]) -> dict:
    return add_indicator(data.engine(), row, account.username, scope=account.scope)


# --- accounts, sessions, links, audit (admins) ------------------------------------------------


def accounts(admin: User) -> pd.DataFrame:
    return auth_accounts.list_users(data.engine(), within=admin.scope)


def create_account(admin: User, username: str, password: str, role: str, scope_code: str) -> User:
    return auth_accounts.create_user(data.engine(), username, password, role, scope_code,
                                     by=admin.username, within=admin.scope)


def update_account(admin: User, username: str, *, role: str, scope_code: str,
                   active: bool) -> User:
    return auth_accounts.update_account(data.engine(), username, by=admin.username, role=role,
                                        scope_code=scope_code, active=active, within=admin.scope)


def reset_password(admin: User, username: str, password: str) -> None:
    auth_accounts.set_password(data.engine(), username, password, by=admin.username, within=admin.scope)


def sessions(admin: User, *, clock: Any) -> pd.DataFrame:
    return web_sessions.live_sessions(data.engine(), admin.scope, clock=clock)


def end_session(admin: User, session_id: str, *, clock: Any) -> bool:
    return web_sessions.end(data.engine(), session_id, by=admin.username, scope=admin.scope,
                            clock=clock)


def display_links(admin: User) -> pd.DataFrame:
    return links.list_links(data.engine(), within=admin.scope)


def create_display_link(admin: User, region_code: str, days: int, label: str) -> str:
    return links.create_link(data.engine(), admin, region_code, dt.timedelta(days=int(days)), label)


def revoke_display_link(admin: User, token_hash: str) -> bool:
    return links.revoke(data.engine(), token_hash, by=admin)


def audit_actions(admin: User) -> list[str]:
    return accounts_store.audit_actions(data.engine(), admin.scope)


def audit_log(admin: User, *, username: str | None, action: str | None,
              since: dt.datetime) -> pd.DataFrame:
    return accounts_store.audit_frame(data.engine(), username=username, action=action, since=since,
                                      scope=admin.scope)


def regions_in_scope(admin: User, levels: tuple[str, ...]) -> pd.DataFrame:
    """The regions of ``levels`` inside ``admin``'s scope (the scope and region pickers)."""
    regions = data.query("regions")
    return regions[regions["level"].isin(list(levels))
                   & regions["code"].str.startswith(admin.scope.prefix)]


# --- 督办 items in the monitoring report ------------------------------------------------------

def indicator_followups(account: User, region_code: str,
                        codes: list[str]) -> dict[str, list[Item]]:
    """{indicator code: the 督办 items raised on it} inside ``account``'s scope narrowed to
    ``region_code`` (a region outside it is refused: ScopeError), for the monitoring report."""
    return {code: followup.for_indicator(data.engine(), account.scope, code, region_code)
            for code in codes}


# --- follow-ups (督办): lib.followup.service narrows to the account's scope and audits ---------


def followups(account: User, *, view: str, status: str | None = None,
              region_code: str | None = None, due_before: dt.date | None = None,
              overdue_only: bool = False) -> list[Item]:
    return followup.list_items(data.engine(), account, view=view, status=status,
                               region_code=region_code, due_before=due_before,
                               overdue_only=overdue_only, today=clock.today())


def followup_notes(account: User, item_id: int) -> list[Note]:
    return followup.notes(data.engine(), account, int(item_id))


def create_followup(account: User, **fields: Any) -> Item:
    return followup.create(data.engine(), account, **fields)


def add_followup_note(account: User, item_id: int, body: str, *, status: str | None = None,
                      attachment: tuple[str, bytes] | None = None) -> Note:
    return followup.add_note(data.engine(), account, int(item_id), body, status=status,
                             attachment=attachment)


def followup_attachment(account: User, file_id: int) -> tuple[str, str, bytes]:
    return followup.attachment(data.engine(), account, int(file_id))


def followup_owners(account: User, region_code: str) -> list[str]:
    """The accounts that may own an item of ``region_code``: active, inside ``account``'s scope,
    and with a scope covering the region (lib.followup.service checks the same on create)."""
    frame = auth_accounts.list_users(data.engine(), within=account.scope)
    if frame.empty:
        return []
    ok = [bool(active) and Scope.of_region(code).contains(region_code) if code else bool(active)
          for code, active in zip(frame["scope_code"], frame["active"])]
    return frame.loc[ok, "username"].tolist()
