"""Scope-leak probing: plant unmistakable figures outside a user's scope, then read everything the
user receives and report every place a planted figure, a sum containing it, or an out-of-scope
region shows up.

Why a generic walker: a leak hides in whatever element a page grows next (a new chart, a download,
a tooltip). Instead of asking each element type for its "value", ``walk_proto`` reads every field of
every protobuf Streamlit sends (the AppTest element tree, or the ForwardMsg frames a browser gets),
decodes the embedded payloads (Vega-Lite spec JSON, Arrow datasets, deck.gl JSON) and yields each
string and number with the path it was found at. Downloads (CSV, XLSX, PPTX) are read the same way.

Why a magnitude check: the planted figure is so large (``PROBE`` ≈ 9.9 亿) that it dominates any sum
or average it enters. Every number the in-scope user receives must stay below ``LIMIT``; the
planted figure divided by the number of districts (a "parent average" over 13 districts) is still
above it, while the demo city's largest legitimate total (all districts, all years) stays far below.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import pandas as pd
from lib.warehouse.scope import Scope

# --- the probe ----------------------------------------------------------------------------------

PROBE = 987_654_321  # a count no demo ledger reaches: ≈ 9.9 亿, > 2 × the city's population
LIMIT = 50_000_000  # anything ≥ this that a 晋安区 user receives contains a planted figure
# Streamlit sends ±(2^53 − 1) and ±float max as the bounds of an unbounded st.number_input: widget
# limits, not figures (no sum of counts comes near them), so numbers from there up are not checked
WIDGET_BOUND = 2.0 ** 53 - 1
MAX_PERCENT = 10_000  # a shown rate ≥ 10,000 % contains the probe's screened ÷ a quota of 1
N_DISTRICTS = 13  # 福州市: PROBE / 13 ≈ 7,597 万 is still ≥ LIMIT (a parent average leaks too)
CITY = "350100000000"
SCOPE = "350111"  # 晋安区
JINAN = "350111000000"
JINAN_TOWN = "350111001000"
GULOU = "350102"  # 鼓楼区, where the figures are planted
GULOU_DISTRICT = "350102000000"
GULOU_TOWN = "350102001000"
PROBE_ORG = "泄露探针"
PROBE_ACCOUNT = "gulou_probe"
PROBE_LINK = "鼓楼探针"
PROBE_FOLLOWUP = "鼓楼督办探针"  # a 督办 item (and its note) of 鼓楼区
PROBE_INDICATOR = "H09"  # an uploaded (not computed) indicator of the catalog
PROBE_YEAR = 2025  # the demo's last full indicator year with today = 2026-11-30

# The probe's spellings in the app's number formats (lib/fmt: 万/亿 in zh, M in en, separators).
PROBE_FORMS = (str(PROBE), f"{PROBE:,}", f"{PROBE / 1e8:.2f}亿", f"{PROBE / 1e4:.1f}万",
               f"{PROBE / 1e6:.2f}M", f"{float(PROBE)}", f"{PROBE:,.1f}")


def probe_frames(gulou_village: str) -> dict[str, pd.DataFrame]:
    """One row per dataset in 鼓楼区 carrying ``PROBE`` in every count column (dates inside the
    demo's period so they fall in every default view)."""
    p = PROBE
    return {
        "training": pd.DataFrame([{
            "session_id": "leak-probe-training", "region_code": GULOU_TOWN,
            "held_on": dt.date(2026, 5, 12), "topic": "health", "audience": "rural_women",
            "mode": "onsite", "participants": p, "hours": float(p)}]),
        "job_fair": pd.DataFrame([{
            "fair_id": "leak-probe-fair", "region_code": GULOU_DISTRICT,
            "held_on": dt.date(2026, 3, 10), "fair_type": "spring_breeze", "employers": p,
            "positions": p, "women_attending": p, "intents": p, "hires": p}]),
        "screening": pd.DataFrame([{
            "region_code": GULOU_TOWN, "month": dt.date(2026, 4, 1), "kind": "cervical",
            "screened": p, "abnormal": p, "diagnosed": p, "treated": p, "aided": p,
            "aid_amount_10k_yuan": float(p)}]),
        # a quota and eligible women of 1 beside PROBE screened: any rate of a region containing
        # 鼓楼区 (the city's completion or coverage) becomes an impossible percentage
        "screening_target": pd.DataFrame([{
            "region_code": GULOU_TOWN, "year": 2026, "kind": "cervical", "eligible_women": 1,
            "quota": 1}]),
        "org_unit": pd.DataFrame([{
            "org_id": "leak-probe-org", "region_code": gulou_village,
            "org_type": "village_federation", "sector": None, "name": PROBE_ORG,
            "established_on": dt.date(2020, 1, 1), "dissolved_on": None, "exec_members": p,
            "last_activity_on": dt.date(2026, 11, 1)}]),
        # uploaded indicator values of 鼓楼区 and of the city (the city is outside 晋安区 too)
        "indicator_value": pd.DataFrame([
            {"indicator_code": PROBE_INDICATOR, "region_code": GULOU_DISTRICT,
             "year": PROBE_YEAR, "value": float(p)},
            {"indicator_code": PROBE_INDICATOR, "region_code": CITY, "year": PROBE_YEAR,
             "value": float(p)}]),
    }


def scope_frames(town: str, village: str) -> dict[str, pd.DataFrame]:
    """A few small 晋安区 rows in two years (so every chart, league and last-year comparison of the
    district has data) for a warehouse without the demo: the browser test's lighter world."""
    district = town[:6].ljust(12, "0")
    rows: dict[str, list[dict]] = {k: [] for k in ("training", "job_fair", "screening",
                                                   "screening_target", "org_unit",
                                                   "indicator_value")}
    for year in (2024, 2025, 2026):
        for month in (3, 5):
            rows["training"].append({
                "session_id": f"jinan-{year}-{month}", "region_code": town,
                "held_on": dt.date(year, month, 6), "topic": "health", "audience": "rural_women",
                "mode": "onsite", "participants": 40 + month, "hours": 3.0})
            rows["screening"].append({
                "region_code": town, "month": dt.date(year, month, 1), "kind": "cervical",
                "screened": 300 + month, "abnormal": 12, "diagnosed": 3, "treated": 3, "aided": 2,
                "aid_amount_10k_yuan": 1.5})
        rows["job_fair"].append({
            "fair_id": f"jinan-fair-{year}", "region_code": district,
            "held_on": dt.date(year, 3, 10), "fair_type": "spring_breeze", "employers": 30,
            "positions": 800, "women_attending": 500, "intents": 120, "hires": 60})
        rows["screening_target"].append({"region_code": town, "year": year, "kind": "cervical",
                                         "eligible_women": 4000, "quota": 1500})
        rows["indicator_value"].append({"indicator_code": PROBE_INDICATOR, "region_code": district,
                                        "year": year - 1, "value": 40.0 + year - 2024})
    rows["org_unit"].append({
        "org_id": "jinan-org", "region_code": village, "org_type": "village_federation",
        "sector": None, "name": "站前社区妇联", "established_on": dt.date(2019, 1, 1),
        "dissolved_on": None, "exec_members": 9, "last_activity_on": dt.date(2026, 11, 1)})
    return {k: pd.DataFrame(v) for k, v in rows.items()}


def plant(engine, users_: dict[str, tuple[str, str]], password: str, *, today: dt.date,
          gulou_village: str, demo: bool = True) -> None:
    """The demo city as of ``today`` (or, with ``demo=False``, a few 晋安区 rows: scope_frames),
    the probe rows loaded as an upload (lib.warehouse.loading), the given users (name → (role,
    scope code)), and — made by a city admin ``root`` — a 鼓楼区 account, a 鼓楼区 display link and
    a 鼓楼区 督办 item (with that account's note and file) that no 晋安区 user may see."""
    from lib import demo as demo_module
    from lib.auth import links, accounts
    from lib.followup import service as followup
    from lib.warehouse.loading import load_batch

    if demo:
        demo_module.build_demo(engine, seed=7, today=today)
    else:
        load_batch(engine, scope_frames(JINAN_TOWN, JINAN_TOWN[:9] + "001"),
                   filename="jinan.csv", user="root", dataset_label="jinan", scope=Scope.everything())
    result = load_batch(engine, probe_frames(gulou_village), filename="leak_probe.csv",
                        dataset_label="leak_probe", user="root", scope=Scope.everything())
    assert result.status == "loaded", result
    root = accounts.create_user(engine, "root", password, "admin", CITY)
    for name, (role, scope) in users_.items():
        accounts.create_user(engine, name, password, role, scope, by="root")
    accounts.create_user(engine, PROBE_ACCOUNT, password, "viewer", GULOU_DISTRICT, by="root")
    links.create_link(engine, root, GULOU_DISTRICT, dt.timedelta(days=30), PROBE_LINK)
    item = followup.create(engine, root, region_code=GULOU_TOWN, subject=PROBE_FOLLOWUP,
                           asked=PROBE_FOLLOWUP, due=today + dt.timedelta(days=30),
                           owner=PROBE_ACCOUNT, today=today)
    followup.add_note(engine, accounts.get_user(engine, PROBE_ACCOUNT), item.id, PROBE_FOLLOWUP,
                      attachment=(f"{PROBE_FOLLOWUP}.csv", f"{PROBE_FOLLOWUP},{PROBE}\n".encode()))


# --- what a user receives: items with where they were found -------------------------------------

@dataclass(frozen=True)
class Item:
    """One string or number the user received; ``where`` says page, element and field path."""
    where: str
    text: str | None = None
    number: float | None = None
    is_button_label: bool = False
    is_json: bool = False  # its values were read as parsed JSON items too


@dataclass
class Harvest:
    """Everything received in one view, and anything that could not be read (itself a failure:
    an unread payload is an unchecked one)."""
    items: list[Item] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)

    def extend(self, other: "Harvest") -> None:
        self.items += other.items
        self.unread += other.unread


def _is_arrow(data: bytes) -> bool:
    # Arrow IPC stream: a continuation marker 0xFFFFFFFF then the schema message
    return len(data) > 8 and data[:4] == b"\xff\xff\xff\xff"


def arrow_frame(data: bytes) -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(io.BytesIO(data)).read_pandas()


def walk_frame(frame: pd.DataFrame, where: str, out: Harvest) -> None:
    """Every column name, index value and cell; dates become text (an epoch number is no figure)."""
    for name in frame.columns:
        _value(name, f"{where}.columns", out)
    if not isinstance(frame.index, pd.RangeIndex):  # row numbers are no figures; labels may be
        for i, v in enumerate(frame.index):
            _value(v, f"{where}.index[{i}]", out)
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col) or isinstance(col.dtype, pd.PeriodDtype):
            for v in col.dropna().unique():
                out.items.append(Item(f"{where}[{name}]", text=str(v)))
            continue
        for v in col.tolist():
            _value(v, f"{where}[{name}]", out)


def _value(v: Any, where: str, out: Harvest) -> None:
    if v is None:
        return
    if isinstance(v, bool):
        return
    if isinstance(v, (int, float)):
        if isinstance(v, float) and math.isnan(v):
            return
        out.items.append(Item(where, number=float(v)))
        return
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        try:
            _value(v.item(), where, out)
            return
        except (ValueError, AttributeError):
            pass
    if isinstance(v, (dt.date, dt.datetime, pd.Timestamp)):
        out.items.append(Item(where, text=str(v)))
        return
    if isinstance(v, str):
        walk_text(v, where, out)
        return
    if isinstance(v, bytes):
        walk_bytes(v, where, out)
        return
    if isinstance(v, dict):
        walk_json(v, where, out)
        return
    if isinstance(v, (list, tuple, set)) or hasattr(v, "tolist"):
        seq = v.tolist() if hasattr(v, "tolist") else list(v)
        for j, x in enumerate(seq):
            _value(x, f"{where}[{j}]", out)
        return
    out.items.append(Item(where, text=str(v)))


def walk_json(obj: Any, where: str, out: Harvest) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.items.append(Item(f"{where}.<key>", text=str(k)))
            walk_json(v, f"{where}.{k}", out)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            walk_json(v, f"{where}[{i}]", out)
    else:
        _value(obj, where, out)


def walk_text(s: str, where: str, out: Harvest, *, button: bool = False) -> None:
    """A string, and if it is JSON (Vega-Lite specs, deck.gl maps) everything inside it: then
    the numbers are read from the parsed values, not from the text (``[255,255,204]`` is a
    colour, not 255,255,204)."""
    stripped = s.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            parsed = json.loads(s)
        except ValueError:
            pass
        else:
            out.items.append(Item(where, text=s, is_button_label=button, is_json=True))
            walk_json(parsed, f"{where}<json>", out)
            return
    out.items.append(Item(where, text=s, is_button_label=button))


def walk_bytes(data: bytes, where: str, out: Harvest) -> None:
    """Arrow IPC (dataframes, chart datasets), else UTF-8 text, else kept as raw text for the
    decimal search (a payload nobody can read is reported as unread)."""
    if not data:
        return
    if _is_arrow(data):
        try:
            walk_frame(arrow_frame(data), f"{where}<arrow>", out)
            return
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            out.unread.append(f"{where}: Arrow payload not readable ({exc})")
            return
    try:
        walk_text(data.decode("utf-8"), where, out)
    except UnicodeDecodeError:
        out.items.append(Item(where, text=data.decode("latin-1")))


def walk_proto(msg: Any, where: str, out: Harvest) -> None:
    """Every set field of a protobuf message, recursively (maps, repeated fields, sub-messages)."""
    from google.protobuf.message import Message

    button = msg.DESCRIPTOR.name in ("Button", "DownloadButton", "LinkButton", "PageLink")
    for fd, value in msg.ListFields():
        path = f"{where}.{fd.name}"
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            for k, v in value.items():
                out.items.append(Item(f"{path}.<key>", text=str(k)))
                if isinstance(v, Message):
                    walk_proto(v, f"{path}[{k}]", out)
                else:
                    _scalar(v, f"{path}[{k}]", out, False)
            continue
        values = list(value) if _repeated(fd) else [value]
        for i, v in enumerate(values):
            p = f"{path}[{i}]" if _repeated(fd) else path
            if isinstance(v, Message):
                walk_proto(v, p, out)
            else:
                _scalar(v, p, out, button and fd.name == "label")


def _repeated(fd) -> bool:
    rep = getattr(fd, "is_repeated", None)
    if rep is not None:
        return bool(rep)
    return fd.label == fd.LABEL_REPEATED


def _scalar(v: Any, where: str, out: Harvest, button_label: bool) -> None:
    if isinstance(v, bool):
        return
    if isinstance(v, str):
        walk_text(v, where, out, button=button_label)
    elif isinstance(v, bytes):
        walk_bytes(v, where, out)
    elif isinstance(v, (int, float)):
        _value(v, where, out)


def harvest_apptest(at, where: str) -> Harvest:
    """Everything in an AppTest run's element tree (main, sidebar, every block and element)
    plus the URL's query string."""
    out = Harvest()
    seen: set[int] = set()

    def visit(node, path: str) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", type(node).__name__)
        if proto is not None and hasattr(proto, "ListFields"):
            walk_proto(proto, f"{path}/{kind}", out)
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for k, child in children.items():
                visit(child, f"{path}/{kind}[{k}]")

    visit(at._tree, where)
    for k in at.query_params:
        walk_text(f"{k}={at.query_params[k]}", f"{where}/query_params", out)
    return out


# --- downloads ----------------------------------------------------------------------------------

def harvest_file(data: bytes, name: str, where: str) -> Harvest:
    """A downloaded file by its content: XLSX, PPTX and DOCX (all zip), else text (CSV)."""
    out = Harvest()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if data[:4] == b"PK\x03\x04":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        if any(n.startswith("xl/") for n in names):
            out.extend(harvest_xlsx(data, where))
        elif any(n.startswith("ppt/") for n in names):
            out.extend(harvest_pptx(data, where))
        elif any(n.startswith("word/") for n in names):
            out.extend(harvest_docx(data, where))
        else:
            out.unread.append(f"{where}: zip file {name} of unknown kind")
        out.extend(harvest_zip_xml(data, where))  # also every XML part as text: nothing skipped
        return out
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        # a chart rendered to pixels: its data is the chart's spec, read from the page itself
        return out
    try:
        walk_text(data.decode("utf-8-sig"), where, out)
    except UnicodeDecodeError:
        out.unread.append(f"{where}: {name} is neither text nor a known office file")
    return out


def harvest_zip_xml(data: bytes, where: str) -> Harvest:
    """Every XML/text part of an office file, as text (cached chart values, shared strings)."""
    out = Harvest()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for n in z.namelist():
            if n.endswith((".xml", ".rels")):
                text = z.read(n).decode("utf-8", "replace")
                # numbers inside XML values: <c:v>…</c:v>, <v>…</v>, attributes
                for m in re.finditer(r">([^<>]+)<", text):
                    walk_text(m.group(1), f"{where}:{n}", out)
    return out


def harvest_xlsx(data: bytes, where: str) -> Harvest:
    from openpyxl import load_workbook

    out = Harvest()
    wb = load_workbook(io.BytesIO(data), data_only=False)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    _value(cell.value, f"{where}:{ws.title}!{cell.coordinate}", out)
    return out


def harvest_docx(data: bytes, where: str) -> Harvest:
    """Text of every paragraph, table cell and page header of a Word file (the 通报)."""
    from docx import Document

    out = Harvest()
    doc = Document(io.BytesIO(data))
    for i, p in enumerate(doc.paragraphs):
        walk_text(p.text, f"{where}:p{i}", out)
    for t, table in enumerate(doc.tables):
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                walk_text(cell.text, f"{where}:table{t}[{r},{c}]", out)
    for section in doc.sections:
        for p in section.header.paragraphs:
            walk_text(p.text, f"{where}:header", out)
    return out


def harvest_pptx(data: bytes, where: str) -> Harvest:
    """Text of every shape (tables included) and the data of every chart of every slide."""
    from pptx import Presentation

    out = Harvest()
    prs = Presentation(io.BytesIO(data))
    for i, slide in enumerate(prs.slides, 1):
        for shape in _shapes(slide.shapes):
            here = f"{where}:slide{i}:{shape.shape_type}:{shape.name}"
            if shape.has_text_frame:
                walk_text(shape.text_frame.text, here, out)
            if getattr(shape, "has_table", False) and shape.has_table:
                for r, row in enumerate(shape.table.rows):
                    for c, cell in enumerate(row.cells):
                        walk_text(cell.text, f"{here}[{r},{c}]", out)
            if getattr(shape, "has_chart", False) and shape.has_chart:
                chart = shape.chart
                for plot in chart.plots:
                    for cat in plot.categories:
                        _value(cat, f"{here}.categories", out)
                    for series in plot.series:
                        _value(series.name, f"{here}.series", out)
                        for v in series.values:
                            _value(v, f"{here}.series[{series.name}]", out)
                if chart.has_title:
                    walk_text(chart.chart_title.text_frame.text, f"{here}.title", out)
        if slide.has_notes_slide:
            walk_text(slide.notes_slide.notes_text_frame.text, f"{where}:slide{i}:notes", out)
    return out


def _shapes(shapes) -> Iterator[Any]:
    for shape in shapes:
        yield shape
        if hasattr(shape, "shapes"):
            yield from _shapes(shape.shapes)


# --- finding leaks ------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(亿|万|M)?(?![A-Za-z0-9_])")
# a region code stands alone: not inside a hash or an identifier's hex digits
_CODE = re.compile(r"(?<![0-9A-Za-z])35\d{4}(?:\d{3}(?:\d{3})?)?(?![0-9A-Za-z])")
_COLOUR = re.compile(r"rgba?\([^)]*\)|#[0-9A-Fa-f]{3,8}\b")
# Streamlit's own random ids (script_run_id, element ids) are UUIDs: their last group can be all
# digits (about 1 run in 300), which is an id, not a figure
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_PERCENT = re.compile(r"(?<![A-Za-z0-9_.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*%")
_SCALE = {"亿": 1e8, "万": 1e4, "M": 1e6, None: 1.0}


def numbers_in(text: str) -> Iterator[tuple[str, float]]:
    """Numbers written in ``text`` with the app's suffixes (9.88亿, 98765.4万, 987.65M, 1,234).
    Region codes (6/9/12 digits starting with 35) are codes, not figures: checked separately."""
    text = _COLOUR.sub(" ", text)  # rgb(255,255,204) in legends is a colour
    text = _UUID.sub(" ", text)
    for m in _NUMBER.finditer(text):
        whole, frac, suffix = m.group(1), m.group(2) or "", m.group(3)
        digits = whole.replace(",", "")
        if not frac and not suffix and digits.startswith("35") and len(digits) in (6, 9, 12):
            continue
        yield m.group(0), float(digits + frac) * _SCALE[suffix]


@dataclass(frozen=True)
class Leak:
    where: str
    why: str
    seen: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}: {self.seen[:160]!r}"


@dataclass(frozen=True)
class ScopeRules:
    """What a user of ``scope`` must never receive: ``forbidden_names`` anywhere (substring),
    ``city_name`` anywhere but a button's label (the breadcrumb's way up names the city and moves
    back to the scope), region codes outside the scope except ``allowed_codes`` (the city's and the
    scope's ancestors' own codes), any number from ``limit`` up to the widget bounds, and any
    shown rate ≥ ``MAX_PERCENT``."""
    scope: str
    forbidden_names: tuple[str, ...]
    city_name: str
    allowed_codes: tuple[str, ...]
    limit: float = LIMIT
    # text removed before checking, for references that are not data of another region (see
    # AUDIT_REQUEST); empty by default
    ignore: tuple[str, ...] = ()


def find_leaks(items: Iterable[Item], rules: ScopeRules) -> list[Leak]:
    leaks: list[Leak] = []
    for it in items:
        if it.number is not None:
            if rules.limit <= abs(it.number) < WIDGET_BOUND:
                leaks.append(Leak(it.where, f"number ≥ {rules.limit:,.0f}", repr(it.number)))
            continue
        text = it.text or ""
        for pattern in rules.ignore:
            text = re.sub(pattern, " ", text)
        for form in PROBE_FORMS:
            if form in text:
                leaks.append(Leak(it.where, f"planted figure {form}", text))
        for raw, value in ([] if it.is_json else numbers_in(text)):
            if abs(value) >= rules.limit and raw not in PROBE_FORMS:
                leaks.append(Leak(it.where, f"number ≥ {rules.limit:,.0f} ({raw})", text))
        if not it.is_json:
            for m in _PERCENT.finditer(text):
                if float(m.group(1).replace(",", "") + (m.group(2) or "")) >= MAX_PERCENT:
                    leaks.append(Leak(it.where, f"rate ≥ {MAX_PERCENT:,} % ({m.group(0)})", text))
        for name in rules.forbidden_names:
            if name in text:
                leaks.append(Leak(it.where, f"out-of-scope name {name}", text))
        if rules.city_name and rules.city_name in text and not it.is_button_label:
            leaks.append(Leak(it.where, f"city name {rules.city_name} (a parent of the scope)",
                              text))
        for code in _CODE.findall(text):
            full = code.ljust(12, "0")
            if not full.startswith(rules.scope) and full not in rules.allowed_codes:
                leaks.append(Leak(it.where, f"out-of-scope region code {code}", text))
    return _dedupe(leaks)


def _dedupe(leaks: list[Leak]) -> list[Leak]:
    seen, out = set(), []
    for leak in leaks:
        key = (leak.where, leak.why)
        if key not in seen:
            seen.add(key)
            out.append(leak)
    return out


# The audit log records a refused crafted link as ``region=<code>``: the code an in-scope user
# typed, not data of that region; an admin of the scope may see what their users tried.
AUDIT_REQUEST = r"(?<![0-9A-Za-z])region=35\d{10}(?![0-9A-Za-z])"


def rules_for(regions: pd.DataFrame, scope: str) -> ScopeRules:
    """The rules for a user whose scope is the code prefix ``scope``: names of every district
    and township outside it (that no region inside it shares), the probe's names."""
    regions = regions.astype({"code": str})
    inside = regions[regions["code"].str.startswith(scope)]
    inside_names = " ".join(inside["name"].astype(str))
    city = regions.loc[regions["level"] == "city", "name"].iloc[0]
    outside = regions[~regions["code"].str.startswith(scope)
                      & regions["level"].isin(["district", "township"])]
    names = sorted({n for n in outside["name"].astype(str) if n not in inside_names and len(n) >= 3})
    # a township user: the other townships of the same district are outside too; the district's
    # own name is an ancestor (shown like the city), so it is not forbidden
    ancestors = {c.ljust(12, "0") for c in (scope[:6], scope[:9]) if len(c) < len(scope)}
    ancestor_names = set(regions.loc[regions["code"].isin(ancestors), "name"])
    names = [n for n in names if n not in ancestor_names]
    return ScopeRules(scope=scope,
                      forbidden_names=tuple(names) + (PROBE_ORG, PROBE_ACCOUNT, PROBE_LINK,
                                                       PROBE_FOLLOWUP),
                      city_name=city, allowed_codes=(CITY, *sorted(ancestors)))


def report(leaks: list[Leak], limit: int = 40) -> str:
    lines = [str(x) for x in leaks[:limit]]
    if len(leaks) > limit:
        lines.append(f"… and {len(leaks) - limit} more")
    return "\n".join(lines)
