"""Nothing outside a user's scope reaches the user, on any page, in any form.

A warehouse with the demo city (today = 2026-11-30) gets one row per dataset in 鼓楼区 carrying a
figure no ledger reaches (``leak_util.PROBE`` ≈ 9.9 亿; the 鼓楼区 and city values of an uploaded
indicator too), an organisation named 泄露探针, a 鼓楼区 account and a 鼓楼区 display link. Users of
晋安区 (viewer, analyst, admin) and of one 晋安区 township (viewer) sign in through the login form
and open every page their role may open, at every level they may reach (their own region, a
township, a village, and crafted ?region= links to the city, to 鼓楼区 and to a sibling township).

Everything each run sends is read by a generic walker (leak_util.harvest_apptest: every field of
every element's protobuf, with Vega-Lite specs and Arrow datasets, deck.gl JSON, widget options and
the query string decoded) plus every download the page offers (CSV, XLSX monitoring report, PPTX
meeting brief: called the way the browser's click would). A leak is: the planted figure in any
spelling; any number ≥ ``LIMIT`` (a sum or a parent average containing the figure: the figure
divided by all 13 districts is still above it); a shown rate ≥ 10,000 % (the probe's screening
quota is 1, so any rate over a region containing 鼓楼区 explodes); a name or code of a region
outside the scope (the city's name only on the breadcrumb's way-up button); the probe organisation,
account or link. Each (backend, user, level, page) is its own test, so a failure names where the
leak is; the message lists each leaking field with its path. Two references are not data and are
allowed: a refused crafted link's own ``region=`` in the URL bar and in the audit log.

KNOWN PENDING while the admin page is being scoped: the admin-page cases and
test_admin_page_lists_nothing_outside_scope fail until a 晋安区 admin no longer sees 鼓楼区
accounts, links or audit events. They are deliberately neither skipped nor xfailed.

Parametrised over DuckDB and PostgreSQL (HALFSKY_TEST_PG_URL).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from unittest import mock

import pytest

from lib.ui import nav
from tests import leak_util as L
from tests.apptest_util import app_env, run_page
from tests.conftest import BACKENDS, _open
from tests.test_app import _url
from tests.test_auth import PW

TODAY = dt.date(2026, 11, 30)
JINAN_VILLAGE = "350111001001"  # 站前社区, under 茶园街道 (JINAN_TOWN)
SIBLING_TOWN = "350111002000"  # 王庄街道: outside a 茶园街道 user's scope
GULOU_VILLAGE = "350102001001"  # 中山社区, under 鼓东街道 (GULOU_TOWN)

# username → (role, scope region code)
USERS = {"vera": ("viewer", L.JINAN), "ana": ("analyst", L.JINAN), "adam": ("admin", L.JINAN),
         "tina": ("viewer", L.JINAN_TOWN)}
# username → {level name: ?region= value (None: no query string)}
LEVELS = {
    "vera": {"own": None, "township": L.JINAN_TOWN, "village": JINAN_VILLAGE, "url_city": L.CITY,
             "url_gulou": L.GULOU_DISTRICT, "url_gulou_town": L.GULOU_TOWN},
    "tina": {"own": None, "village": JINAN_VILLAGE, "url_district": L.JINAN, "url_city": L.CITY,
             "url_sibling_town": SIBLING_TOWN, "url_gulou_town": L.GULOU_TOWN},
    # the dashboards read the same data for every role (checked above for the viewer); analysts
    # and admins add the upload and admin pages and the targets page's admin forms
    "ana": {"own": None},
    "adam": {"own": None},
}
# Levels whose ?region= lies outside the user's scope: the app must refuse and show no figures.
REFUSED = {"url_gulou", "url_gulou_town", "url_sibling_town"}
# Pages of the dashboard a user opens in every view; login/setup are not navigation pages.
PAGES = {u: [p.path for p in nav.pages_for(role)] for u, (role, _scope) in USERS.items()}
# Widgets whose other choices send other data: each choice is read too (key → values).
VARIANTS = {"views/screening.py": [("sc_metric", "radio", "coverage")],
            "views/targets.py": [("t_children_computed", "toggle", True)]}

CASES = [(u, level, page) for u in USERS for level in LEVELS[u] for page in PAGES[u]]


# --- the planted warehouse ----------------------------------------------------------------------

@dataclass
class World:
    backend: str
    engine: object
    url: str
    schema: str | None
    rules: dict[str, L.ScopeRules]  # username → rules
    harvests: dict[tuple[str, str], dict[str, L.Harvest]] = field(default_factory=dict)


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """The demo city plus the 鼓楼区 probe, the 晋安区 users and a city admin's 鼓楼区 account and
    display link; one per backend for the whole module (nothing here writes into it later)."""
    from lib.warehouse.queries import regions_table
    from lib.warehouse.scope import prefix_of

    engine, _u, drop = _open(request.param, tmp_path_factory.mktemp(f"leak_{request.param}"))
    L.plant(engine, USERS, PW, today=TODAY, gulou_village=GULOU_VILLAGE)
    url, schema = _url(engine)
    regions = regions_table(engine)
    rules = {name: L.rules_for(regions, prefix_of(scope)) for name, (_role, scope) in USERS.items()}
    yield World(request.param, engine, url, schema, rules)
    drop()


def test_the_probe_is_in_the_warehouse_and_the_city_admin_sees_it(world):
    """The probe must be visible where it belongs, or the leak tests below prove nothing."""
    from lib.warehouse import queries

    eng = world.engine
    tr = queries.facts(eng, "training", L.GULOU, dt.date(2026, 1, 1), dt.date(2026, 11, 30))
    assert tr["participants"].sum() >= L.PROBE
    sc = queries.facts(eng, "screening", "3501", dt.date(2026, 1, 1), dt.date(2026, 11, 30))
    assert sc["screened"].sum() >= L.PROBE
    jinan = queries.facts(eng, "training", L.SCOPE, dt.date(2019, 1, 1), dt.date(2026, 11, 30))
    assert jinan["participants"].sum() < L.LIMIT  # the district's own totals stay below the limit
    city_all = queries.facts(eng, "training", "3501", dt.date(2019, 1, 1), dt.date(2026, 11, 30))
    assert city_all["participants"].sum() - L.PROBE < L.LIMIT  # so does the whole city's
    assert L.PROBE / L.N_DISTRICTS >= L.LIMIT  # a parent average over every district still shows
    s = _Session(world, "root", {"region": L.GULOU_DISTRICT})
    s.open("views/training.py")
    assert not s.at.exception, s.at.exception
    leaks = L.find_leaks(L.harvest_apptest(s.at, "root").items, world.rules["vera"])
    assert any("planted figure" in x.why or "≥" in x.why for x in leaks), \
        "the city admin's view of 鼓楼区 should show the probe (the detector's positive control)"
    s.open("views/screening.py")  # 鼓楼区's completion: PROBE screened ÷ a quota of about 1
    assert not s.at.exception, s.at.exception
    leaks = L.find_leaks(L.harvest_apptest(s.at, "root").items, world.rules["vera"])
    assert any("rate ≥" in x.why for x in leaks), L.report(leaks)


def test_the_city_admin_sees_the_probe_follow_up(world):
    """The 鼓楼区 督办 item, its note and its file reach the city's admin: the follow-up page's
    cases below would prove nothing if the page showed no item at all."""
    s = _Session(world, "root")
    at = s.open("views/followup.py")
    assert not at.exception, at.exception
    got = L.harvest_apptest(at, "root")
    got.extend(_download_harvest(s, "root"))
    leaks = L.find_leaks(got.items, world.rules["vera"])
    assert any(L.PROBE_FOLLOWUP in (x.text or "") for x in got.items), L.report(leaks)
    assert any("planted figure" in x.why for x in leaks), L.report(leaks)  # the file's content


# --- sessions through the login form -------------------------------------------------------------

@contextlib.contextmanager
def _env(world: World):
    with app_env(world.url, schema=world.schema, demo=False, auth=True), \
            mock.patch.dict(os.environ, {"HALFSKY_TODAY": TODAY.isoformat(),
                                         "HALFSKY_PAGE_ERRORS": "raise"}):
        yield


class _Downloads:
    """Every file a run offered for download: the bytes (static data) or the callable the click
    would run (Streamlit's deferred downloads), recorded from Streamlit's media file manager."""

    def __init__(self) -> None:
        self.by_id: dict[str, tuple[object, str | None, str | None]] = {}

    @contextlib.contextmanager
    def recording(self):
        from streamlit.runtime.media_file_manager import MediaFileManager

        add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred
        book = self.by_id

        def rec_add(mgr, data, mimetype, coordinates, file_name=None, *a, **kw):
            url = add(mgr, data, mimetype, coordinates, file_name, *a, **kw)
            book[url] = (data, mimetype, file_name)
            return url

        def rec_deferred(mgr, fn, mimetype, coordinates, file_name=None, *a, **kw):
            fid = add_deferred(mgr, fn, mimetype, coordinates, file_name, *a, **kw)
            book[fid] = (fn, mimetype, file_name)
            return fid

        with mock.patch.object(MediaFileManager, "add", rec_add), \
                mock.patch.object(MediaFileManager, "add_deferred", rec_deferred):
            yield


class _Session:
    """One browser session: the login form, then pages switched like the navigation does."""

    def __init__(self, world: World, username: str, query: dict | None = None):
        self.world, self.downloads = world, _Downloads()
        with _env(world), self.downloads.recording():
            self.at = run_page(query=query)
        assert not self.at.exception, self.at.exception
        self.at.text_input(key="login_user").input(username)
        self.at.text_input(key="login_password").input(PW)
        self.at.button(key="login_submit").click()
        self.run()
        with pytest.raises(KeyError):  # signed in: the login form is gone
            self.at.text_input(key="login_user")

    def run(self):
        with _env(self.world), self.downloads.recording():
            self.at.run()
        return self.at

    def open(self, page: str):
        self.at.switch_page(page)
        return self.run()


def _blank_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, "PNG")
    return buf.getvalue()


BLANK_PNG = _blank_png()


@contextlib.contextmanager
def _charts_read_not_drawn(out: L.Harvest, where: str):
    """While a download is built, every chart it would draw is read instead: the Vega-Lite spec
    vl-convert would get (data, titles, axis labels) goes through the walker, and a blank image takes
    its place in the file.

    The walker cannot read pixels, so a drawn chart was only ever checked through the text around
    it; its spec is what carries the figures. Drawing them (a monitoring report draws one per
    indicator) was most of this module's time and checked nothing. The report's own image memo is
    swapped for an empty one, so no blank image outlives the block.
    """
    import json

    from lib import export
    from lib.charts.memo import BoundedCache
    from lib.monitoring import document

    specs: list[str] = []

    def record(chart, scale: float = 2.0, *, title=None, part: str = "") -> bytes:
        if title is not None:
            chart = export.titled_chart(chart, title, part)
        specs.append(chart.to_json(validate=False))
        return BLANK_PNG

    with mock.patch.object(export, "chart_png", record), \
            mock.patch.object(document, "_PNGS", BoundedCache(256)):
        yield
    for i, spec in enumerate(specs):
        L.walk_json(json.loads(spec), f"{where}<chart {i}>", out)


def _download_harvest(s: _Session, where: str) -> L.Harvest:
    """Read every download button of the current run: its file, fetched the way a click would."""
    out = L.Harvest()
    for i, btn in enumerate(s.at.get("download_button")):
        proto = btn.proto
        key = proto.deferred_file_id or proto.url
        here = f"{where}/download_button[{i}:{proto.label}]"
        if key not in s.downloads.by_id:
            out.unread.append(f"{here}: the file was not recorded")
            continue
        data, mimetype, name = s.downloads.by_id[key]
        if mimetype == "image/png":
            continue  # pixels of a chart whose data the page sent and was read above
        if callable(data):
            with _env(s.world), _charts_read_not_drawn(out, here):
                data = data()
        if hasattr(data, "read"):
            data = data.read()
        out.extend(L.harvest_file(data, name or "", f"{here}<{name}>"))
    return out


def _harvest_page(s: _Session, page: str, where: str) -> L.Harvest:
    at = s.open(page)
    out = L.Harvest()
    if at.exception:
        out.unread.append(f"{where}: exception {at.exception}")
    out.extend(L.harvest_apptest(at, where))
    out.extend(_download_harvest(s, where))
    for key, kind, value in VARIANTS.get(page, []):
        try:
            widget = getattr(at, kind)(key=key)
        except KeyError:
            continue  # not drawn in this view (e.g. no child regions at village level)
        getattr(widget, "set_value")(value)
        at = s.run()
        here = f"{where}[{key}={value}]"
        out.extend(L.harvest_apptest(at, here))
        out.extend(_download_harvest(s, here))
    return out


def _harvests(world: World, user: str, level: str) -> dict[str, L.Harvest]:
    """Every page of ``user`` at ``level``, read once per module and backend (one login)."""
    key = (user, level)
    if key not in world.harvests:
        region = LEVELS[user][level]
        s = _Session(world, user, {"region": region} if region else None)
        landing = L.harvest_apptest(s.at, f"{user}@{level}/landing")
        pages = {"landing": landing}
        for page in PAGES[user]:
            pages[page] = _harvest_page(s, page, f"{user}@{level}/{page}")
        world.harvests[key] = pages
    return world.harvests[key]


@pytest.mark.parametrize("user,level,page", CASES)
def test_nothing_outside_scope_reaches_the_user(world, user, level, page):
    pages = _harvests(world, user, level)
    got = pages[page]
    if page == PAGES[user][0]:
        got = L.Harvest(got.items + pages["landing"].items, got.unread + pages["landing"].unread)
    assert not got.unread, "\n".join(got.unread)
    if level in REFUSED:  # a refusal, not a page: the message is there, the rest must be clean
        assert any("无权查看" in (x.text or "") for x in got.items), f"no refusal on {page}"
    else:
        assert len(got.items) > 20, f"almost nothing was read from {page}: the walker is broken"
    rules = world.rules[user]
    if page == "views/admin.py":
        rules = dataclasses.replace(rules, ignore=rules.ignore + (L.AUDIT_REQUEST,))
    if level in REFUSED:  # the crafted link itself stays in the URL bar: what the user typed
        rules = dataclasses.replace(rules, ignore=rules.ignore + (f"region={LEVELS[user][level]}",))
    leaks = L.find_leaks(got.items, rules)
    assert not leaks, (f"{len(leaks)} leak(s) to {user} ({USERS[user][0]} of "
                       f"{USERS[user][1]}) at {level} on {page}:\n" + L.report(leaks))


def test_downloads_and_variants_were_read(world):
    """The walker did open the files (the PPTX brief's slides, the XLSX monitoring report, the
    league CSV/XLSX) and the widget variants: a check that passes on nothing would prove nothing."""
    pages = _harvests(world, "vera", "own")
    wheres = {p: " ".join(x.where for x in h.items) for p, h in pages.items()}
    assert ".pptx>:slide" in wheres["views/meeting.py"]
    assert ".xlsx>:" in wheres["views/targets.py"]
    assert "[t_children_computed=True]" in wheres["views/targets.py"]
    assert "[sc_metric=coverage]" in wheres["views/screening.py"]
    assert "<晋安区_培训_2026-01_2026-11.csv>" in wheres["views/training.py"]  # the league table
    assert "<晋安区_培训_2026-01_2026-11.xlsx>" in wheres["views/training.py"]
    assert "vega_lite_chart" in wheres["views/training.py"]
    assert "deck_gl_json_chart" in wheres["views/overview.py"]
    texts = " ".join(x.text or "" for x in pages["views/overview.py"].items)
    assert "晋安区" in texts


def test_admin_page_lists_nothing_outside_scope(world):
    """KNOWN PENDING (admin page scoping): the 晋安区 admin's user list, link list, their
    pickers and the audit log hold no 鼓楼区 account or link; the city admin's do (so this can fail)."""
    def shown(user: str) -> str:
        s = _Session(world, user)
        at = s.open("views/admin.py")
        assert not at.exception, at.exception
        return " ".join(x.text or "" for x in L.harvest_apptest(at, user).items)

    city = shown("root")
    assert L.PROBE_ACCOUNT in city and L.PROBE_LINK in city
    district = shown("adam")
    assert "adam" in district  # the admin's own account is listed
    assert L.PROBE_ACCOUNT not in district, "a 鼓楼区 account is listed for the 晋安区 admin"
    assert L.PROBE_LINK not in district, "a 鼓楼区 display link is listed for the 晋安区 admin"


# --- the detector itself ------------------------------------------------------------------------

def test_detector_finds_an_unscoped_parent_line(world, monkeypatch):
    """Positive control: a parent comparison that ignores the scope (the city's average per
    district beside 晋安区's own months) is reported. If this passes while the page tests above
    pass, the pages are clean; if the detector went blind, this fails."""
    from lib.ui import dashboard, data

    def unscoped_parent(f, *args, **kwargs):
        parent = data.region_lookup("parent_code").get(f.region_code)
        return parent[:4] if parent == L.CITY else None

    monkeypatch.setattr(dashboard, "parent_prefix", unscoped_parent)
    # and the query layer's scope guard (if any) forgets too: both defences fail at once
    monkeypatch.setattr(data, "check_scope", lambda *a, **k: None, raising=False)
    s = _Session(world, "vera")
    s.open("views/training.py")
    assert not s.at.exception, s.at.exception
    leaks = L.find_leaks(L.harvest_apptest(s.at, "vera/training").items, world.rules["vera"])
    assert any("vega_lite" in x.where.lower() and "≥" in x.why for x in leaks), L.report(leaks)


def test_detector_reads_every_kind_of_payload():
    """The walker finds the probe inside an Arrow dataset, a JSON spec, a formatted string, an XLSX
    cell and a PPTX table, and finds no probe in ordinary figures."""
    import io

    import pandas as pd
    import pyarrow as pa
    from openpyxl import Workbook
    from pptx import Presentation
    from pptx.util import Inches

    rules = L.ScopeRules(scope=L.SCOPE, forbidden_names=("鼓楼区",), city_name="福州市",
                         allowed_codes=(L.CITY,))
    sink = io.BytesIO()
    frame = pd.DataFrame({"month": pd.to_datetime(["2026-01-01"]), "v": [L.PROBE / 13]})
    with pa.ipc.new_stream(sink, pa.Schema.from_pandas(frame)) as w:
        w.write_table(pa.Table.from_pandas(frame))
    h = L.Harvest()
    L.walk_bytes(sink.getvalue(), "arrow", h)
    L.walk_text('{"datasets": {"d": [{"x": 987654321}]}}', "spec", h)
    L.walk_text("参训人次 9.88亿", "metric", h)
    L.walk_text("7597.3万", "metric2", h)
    L.walk_text("完成率 1,975,308.6%", "rate", h)
    L.walk_text("鼓楼区 350102001000", "caption", h)
    wb = Workbook()
    wb.active["B7"] = L.PROBE
    xbuf = io.BytesIO()
    wb.save(xbuf)
    h.extend(L.harvest_file(xbuf.getvalue(), "r.xlsx", "xlsx"))
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    tbl = slide.shapes.add_table(1, 1, Inches(1), Inches(1), Inches(2), Inches(1)).table
    tbl.cell(0, 0).text = "987,654,321"
    pbuf = io.BytesIO()
    prs.save(pbuf)
    h.extend(L.harvest_file(pbuf.getvalue(), "b.pptx", "pptx"))
    found = {x.where.split("<")[0].split(".")[0].split(":")[0].split("[")[0]
             for x in L.find_leaks(h.items, rules)}
    assert {"arrow", "spec", "metric", "metric2", "rate", "caption", "xlsx", "pptx"} <= found, found
    clean = L.Harvest()
    L.walk_json({"min": -1.7976931348623157e308, "max": 9007199254740991.0}, "number_input", clean)
    L.walk_text("参训人次 4.5万 · 12,345 · 2026-11-30 · 350111001000 · 49,999,999 · 128.4%",
                "ok", clean)
    assert not L.find_leaks(clean.items, rules)
