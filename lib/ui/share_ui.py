"""分享图片 on every dashboard page and meeting slide: a PNG to forward, built only when clicked.

What the picture shows is what the page shows. A page hands the button the very cards it drew,
the frame it gave its map and the chart it drew (``share_button``); a meeting slide is already data
(``slide_button``). Only what the page does not hold as a value is read when the picture is made:
the reading's sentences, the 截至 date, the demo flag, the source line and the map's shapes, each
through the same cached, scope-checked query the page itself used (lib/ui/data), so no figure
outside the reader's scope can enter it.

``st.download_button`` with a callable builds the PNG only when clicked, in a server thread with no
script run and so outside the sign-in gate: as for the 通报 and the meeting brief, the callable
re-checks the session's grant first (``auth_ui.recheck``) and binds the account's scope for its
queries (``data.scope_bound``). The watermark names the account of that grant and the minute the
picture was made.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from lib import clock, export, fmt
from lib.geo.deck import attribution
from lib.geo.static import map_spec
from lib.i18n import t
from lib.meeting.slides import Slide
from lib.metrics.cards import Card
from lib.share import fonts, render
from lib.share.parts import ShownCard, card_from, table_lines
from lib.share.picture import MAX_SENTENCES, SharePicture, chart_room, share_png
from lib.ui import auth_ui, dashboard, data, mapview, widgets
from lib.ui.filters import Filters
from lib.ui.reading_ui import sentences_of

log = logging.getLogger(__name__)
MIME = "image/png"
# page → (title key, reading area, key prefix of its downloads: names the datasets of its source)
PAGES = {"overview": ("page_overview", "overview", "ov"),
         "coverage": ("page_coverage", "coverage", "cv"),
         "training": ("page_training", "training", "tr"),
         "employment": ("page_employment", "employment", "em"),
         "screening": ("page_screening", "screening", "sc"),
         "targets": ("page_targets", "targets", "tg")}


@dataclass(frozen=True)
class MapPart:
    """The frame a page gave ``mapview.region_map`` (region_code, name, value[, denominator]),
    the figure's label and unit, and the map's title when the page shows one."""
    values: pd.DataFrame
    label: str
    unit: str
    title: str = ""


def file_name(page: str, f: Filters, day: dt.date | None) -> str:
    """``halfsky-overview-晋安区-2026-11-30.png``: the page, the region (its name, made safe for
    a file name) and the day the data run to."""
    region = export.UNSAFE_NAME.sub("-", f.region_name).strip("-._") or f.region_code
    return f"halfsky-{page}-{region}-{(day or f.date_to):%Y-%m-%d}.png"


def _where(f: Filters) -> tuple[str, str]:
    """Region (with 城镇/农村 when narrowed to one) and period, as the page's caption says them."""
    region = f.region_name + (f" · {t(f.area, f.lang)}" if f.area else "")
    return region, f"{fmt.month(f.date_from, f.lang)} – {fmt.month(f.date_to, f.lang)}"


def source_line(f: Filters, key: str, credits: str = "") -> str:
    """数据来源：… · 2026-11-28 10:00 更新 (the loads behind the page, inside the reader's scope),
    and the map's credits when a map is drawn."""
    title = dashboard.export_title(f, key)
    lang = f.lang
    parts = [f"{t('sources', lang)}{t('colon', lang)}{title.source}" if title else "",
             title.version if title else "",
             t("share_map_credit", lang).format(credits=credits) if credits else ""]
    return " · ".join(p for p in parts if p)


def _map_png(f: Filters, part: MapPart, room: int) -> tuple[bytes | None, str]:
    """The page's map as the picture's PNG (at most ``room`` px tall), and its credits: the rows
    ``region_map`` draws (the view's own region left out), the shapes of the same cached query."""
    values = part.values[part.values["region_code"] != f.region_code]
    if not mapview.has_map(f) or values.empty:
        return None, ""
    shapes = data.query("map_shapes", f.child_level, tuple(sorted(values["region_code"])),
                        data.bound_scope())
    spec = map_spec(values, f.lang, part.label, part.unit, shapes=shapes, title=part.title)
    return render.chart_png(spec, "map", room), attribution(shapes.sources)


def page_picture(f: Filters, page: str, cards: Sequence[ShownCard], *, account: str,
                 made_at: dt.datetime, map_part: MapPart | None = None, chart: Any = None,
                 table: pd.DataFrame | None = None) -> SharePicture:
    """The picture of a dashboard page: its title, view and 截至 date, its ``cards`` as shown, the
    map (else ``chart``), the first sentences of its reading, its source."""
    title_key, area, key = PAGES[page]
    lang = f.lang
    region, period = _where(f)
    text = SharePicture(
        title=t(title_key, lang), region=region, period=period,
        as_of=widgets.until_text(f, lang), cards=tuple(card_from(c) for c in cards),
        lines=table_lines(table, lang), reading=tuple(sentences_of(f, area)[:MAX_SENTENCES]),
        source=source_line(f, key), demo=bool(data.query("has_demo_rows")),
        account=account, made_at=made_at, lang=lang)
    room = chart_room(text)
    png, credits = _map_png(f, map_part, room) if map_part is not None else (None, "")
    if png is None and chart is not None:
        png = render.chart_png(chart, "chart", room)
    return replace(text, chart_png=png, source=source_line(f, key, credits))


def slide_picture(f: Filters, slide: Slide, *, account: str, made_at: dt.datetime
                  ) -> SharePicture:
    """The picture of a meeting slide (its reading attached, as shown): its title,
    as-of line, cards, chart (drawn light, as in a print) or table, note and reading."""
    lang = f.lang
    region, period = _where(f)
    lines = table_lines(slide.table, lang) + ((slide.note,) if slide.note else ())
    text = SharePicture(
        title=slide.title, region=region, period=period, as_of=slide.as_of,
        cards=tuple(card_from(k) for k in slide.kpis), lines=lines,
        reading=tuple(slide.reading[:MAX_SENTENCES]), source=source_line(f, "m"),
        demo=slide.demo, account=account, made_at=made_at, lang=lang)
    if slide.chart is None:
        return text
    return replace(text, chart_png=render.chart_png(slide.chart, "chart", chart_room(text)))


def checked_png(grant: auth_ui.Grant | None, lang: str,
                build: Callable[[str, dt.datetime], SharePicture]) -> bytes:
    """The PNG for the download button, only while ``grant`` still holds (Streamlit runs this after
    the click, outside any script run and the gate), with the grant's scope bound for its queries
    and its account in the watermark."""
    reason = auth_ui.recheck(data.engine(), grant)
    if reason is not None:
        raise PermissionError(t(reason, lang))
    with data.scope_bound(grant.user.scope):
        return share_png(build(grant.user.username, clock.now()))


def font_ready(lang: str, where: Any = None) -> bool:
    """Whether the server can draw the picture; if not, one line says why instead of a button."""
    try:
        fonts.find_face()
        fonts.find_face(bold=True)
    except fonts.MissingFont:
        log.warning("分享图片 unavailable: %s", fonts.INSTALL_HINT)
        (where or st).caption(t("share_no_font", lang))
        return False
    return True


def _button(where: Any, lang: str, build: Callable[[], bytes], name: str, key: str,
            **style: Any) -> None:
    (where or st).download_button(t("share_button", lang), build, file_name=name, mime=MIME,
                                  key=key, on_click="ignore", icon=":material/share:",
                                  help=t("share_help", lang), **style)


def share_button(f: Filters, page: str, cards: Sequence[Card], *, map_part: MapPart | None = None,
                 chart: Any = None, table: pd.DataFrame | None = None, where: Any = None) -> None:
    """分享图片 of a dashboard page: ``cards`` as the page passed them to ``widgets.kpi_row``,
    ``map_part`` when the page drew its map (else ``chart``, its main chart: an Altair chart or a
    Vega-Lite dict), ``table`` a labelled table drawn one line a row. ``where``: a container made
    under the page's header, so the button sits at the top though the page computes its figures
    further down."""
    lang = f.lang
    if not font_ready(lang, where):
        return
    shown = widgets.shown_cards(list(cards), f)  # 无上年同期数据 exactly where the page says it
    grant = auth_ui.current_grant()

    def build() -> bytes:
        return checked_png(grant, lang, lambda account, made_at: page_picture(
            f, page, shown, account=account, made_at=made_at, map_part=map_part, chart=chart,
            table=table))

    _button(where, lang, build, file_name(page, f, widgets.data_until(f)), f"share_{page}")


def slide_button(f: Filters, slide: Slide, index: int, where: Any = None) -> None:
    """分享图片 of the meeting slide shown (number ``index`` from 0)."""
    lang = f.lang
    if not font_ready(lang, where):
        return
    grant = auth_ui.current_grant()

    def build() -> bytes:
        return checked_png(grant, lang, lambda account, made_at: slide_picture(
            f, slide, account=account, made_at=made_at))

    _button(where, lang, build, file_name(f"meeting-{index + 1}", f, widgets.data_until(f)),
            "m_share", width="stretch")


def slot() -> Any:
    """The place under a page's header where its share button goes once its figures are known."""
    return st.container(key="share_slot")
