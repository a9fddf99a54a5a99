"""Sentence templates: AreaFacts in, three to six sentences out, Chinese or English.

Pure and deterministic (no model, no clock): the same facts always read the same. A template only
ever pastes a ``*_text`` field (formatted by lib/fmt when the facts were gathered), a name, a rank
or a count from the facts, so every number in a sentence is one the facts hold. Nothing is said
about a part the facts left empty (thin data, a parent outside the reader's scope).
"""
from __future__ import annotations

from lib.i18n import dataset_label
from lib.reading.facts import AreaFacts
from lib.targets.labels import status_label

# A rank is counted among the parent's children and says so: 在晋安区9个乡镇（街道）中居第7位. The
# parent is named (the country as 全国); without a name, by its level (所在区（县）).
COUNTRY_PLACE = {"zh": "全国", "en": "the country"}
PARENT_FALLBACK = {"province": {"zh": "所在省", "en": "its province"},
                   "city": {"zh": "所在市", "en": "its city"},
                   "district": {"zh": "所在区（县）", "en": "its district"},
                   "township": {"zh": "所在乡镇（街道）", "en": "its township"}}
RANK_UNIT = {"province": {"zh": "个省（区、市）", "en": "provinces"},
             "city": {"zh": "个市（州）", "en": "cities"},
             "district": {"zh": "个区（县）", "en": "districts"},
             "township": {"zh": "个乡镇（街道）", "en": "townships"},
             "village": {"zh": "个村（社区）", "en": "villages"}}
UNIT_OF = {"district": {"zh": "个区县", "en": "districts"},
           "township": {"zh": "个乡镇街道", "en": "townships"},
           "village": {"zh": "个村（社区）", "en": "villages"},
           "city": {"zh": "个市", "en": "cities"},
           "province": {"zh": "个省（区、市）", "en": "provinces"}}
MAX_SENTENCES = 6


def _z(lang: str) -> bool:
    return lang == "zh"


def _names(rows: list[dict], lang: str, with_values: bool = True) -> str:
    sep = "、" if _z(lang) else ", "
    if not with_values:
        return sep.join(r["name"] for r in rows)
    if _z(lang):
        return sep.join(f"{r['name']}（{r['value_text']}）" for r in rows)
    return sep.join(f"{r['name']} ({r['value_text']})" for r in rows)


def _change(it: dict, lang: str) -> str:
    """'，较上年同期提高0.1个百分点' / ', up 0.1 pp on the same period last year' (or nothing)."""
    trend, bare = it.get("trend"), it.get("change_abs_text")
    if trend is None:
        return ""
    pct = it["unit"] == "percent"
    if _z(lang):
        if trend == "flat":
            return "，与上年同期持平"
        verb = ("提高" if trend == "up" else "下降") if pct else ("增长" if trend == "up" else "下降")
        return f"，较上年同期{verb}{bare}{'个百分点' if pct else '%'}"
    if trend == "flat":
        return ", level with the same period last year"
    return f", {trend} {bare}{' pp' if pct else '%'} on the same period last year"


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st."""
    tail = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{tail}"


def _value(it: dict, lang: str) -> str:
    """A headline value with its day when it has one other than today: 97.0%（截至2026年6月30日）."""
    day = it.get("as_of_text")
    if not day:
        return it["value_text"]
    return f"{it['value_text']}（{day}）" if _z(lang) else f"{it['value_text']} ({day})"


def _rank(f: AreaFacts, lang: str) -> str:
    """'，在晋安区9个乡镇（街道）中居第7位' / ', 7th of the 9 townships in 晋安区'."""
    r = f.rank
    if not r:
        return ""
    level = r["parent_level"]
    if level == "country":
        place = COUNTRY_PLACE[lang]
    else:
        place = r.get("parent_name") or PARENT_FALLBACK.get(
            level, {"zh": "上级地区", "en": "its parent region"})[lang]
    unit = RANK_UNIT.get(r["sibling_level"], {"zh": "个地区", "en": "regions"})[lang]
    if _z(lang):
        return f"，在{place}{r['of']}{unit}中居第{r['rank']}位"
    return f", {_ordinal(r['rank'])} of the {r['of']} {unit} in {place}"


def headline_sentence(f: AreaFacts, lang: str) -> str | None:
    """Level, rank and change of the area's headline figures, in one sentence."""
    if not f.headline:
        return None
    parts = []
    for i, it in enumerate(f.headline):
        head = f"{it['label']}{_value(it, lang)}" if _z(lang) else \
            f"{it['label'][0].lower()}{it['label'][1:]} {_value(it, lang)}"
        if i == 0:
            head = f"{f.region_name}{head}" if _z(lang) else f"{f.region_name}: {head}"
            head += _rank(f, lang)
        parts.append(head + _change(it, lang))
    return ("；".join(parts) + "。") if _z(lang) else ("; ".join(parts) + ".")


def overview_sentences(f: AreaFacts, lang: str) -> list[str]:
    """The overview: one clause per area (its headline and change), then who lags, then targets."""
    out = []
    if f.headline:
        clauses = [(f"{it['label']}{_value(it, lang)}" if _z(lang) else
                    f"{it['label'].lower() if i else it['label']} {_value(it, lang)}")
                   + _change(it, lang) for i, it in enumerate(f.headline)]
        if _z(lang):
            out.append(f"{f.region_name}本期{'；'.join(clauses)}。")
        else:
            out.append(f"{f.region_name} this period: {'; '.join(clauses)}.")
    lag = laggard_sentence(f, lang)
    if lag:
        out.append(lag)
    out += target_sentences(f, lang)
    return out


def leader_sentence(f: AreaFacts, lang: str) -> str | None:
    tied = f.leaders_tied
    if tied:
        unit = UNIT_OF.get(f.child_level or "", {"zh": "个地区", "en": "regions"})[lang]
        if _z(lang):
            return f"有{tied['count']}{unit}的{f.league_label}并列最高，为{tied['value_text']}。"
        return f"{tied['count']} {unit} share the highest {f.league_label.lower()}, {tied['value_text']}."
    if not f.leaders:
        return None
    if _z(lang):
        return f"{f.league_label}排名靠前的是{_names(f.leaders, lang)}。"
    return f"Highest {f.league_label.lower()}: {_names(f.leaders, lang)}."


def laggard_sentence(f: AreaFacts, lang: str) -> str | None:
    if not f.laggards:
        return None
    if _z(lang):
        return f"{_names(f.laggards, lang)}{f.league_label}排名靠后，需重点督促。"
    return (f"Lagging on {f.league_label.lower()}: {_names(f.laggards, lang)}; these need "
            "close follow-up.")


def jump_sentence(f: AreaFacts, lang: str) -> str | None:
    """Children far from their own history (the last whole month, or coverage in a year)."""
    if not f.jumps:
        return None
    parts = []
    for j in f.jumps:
        up = j["direction"] == "up"
        if j["kind"] == "year":
            if _z(lang):
                parts.append(f"{j['name']}{j['label']}为{j['value_text']}，较上年同期"
                             f"{'提高' if up else '下降'}{j['change_abs_text']}个百分点")
            else:
                parts.append(f"{j['name']}'s {j['label'].lower()} is {j['value_text']}, "
                             f"{'up' if up else 'down'} {j['change_abs_text']} pp on last year")
        elif _z(lang):
            parts.append(f"{j['name']}{j['month_text']}{_measure(j, lang)}{j['value_text']}，"
                         f"{'明显高于' if up else '明显低于'}此前{j['history_months']}个月的中位数"
                         f"{j['baseline_text']}")
        else:
            parts.append(f"{j['name']} recorded {j['value_text']} {_measure(j, lang)} in "
                         f"{j['month_text']}, far {'above' if up else 'below'} its median of "
                         f"{j['baseline_text']} over the previous {j['history_months']} months")
    if _z(lang):
        return "；".join(parts) + "，变化明显，请核实原因。"
    return "; ".join(parts) + ": a marked change, worth checking."


def _measure(j: dict, lang: str) -> str:
    words = {"screened": {"zh": "筛查人数", "en": "women screened"},
             "participants": {"zh": "参训人次", "en": "training participants"}}
    return words.get(j.get("measure"), {"zh": "", "en": ""})[lang]


def target_sentences(f: AreaFacts, lang: str) -> list[str]:
    """Plan targets at risk or off track (worst first); on the targets page also the tally."""
    out = []
    c = f.target_counts
    judged = c.get("total", 0) - c.get("insufficient_data", 0)
    if f.area == "targets" and judged > 0:
        order = ("achieved", "on_track", "at_risk", "off_track", "insufficient_data")
        parts = [f"{status_label(s, lang)}{c[s]}项" if _z(lang) else f"{c[s]} {status_label(s, lang).lower()}"
                 for s in order if c.get(s)]
        if _z(lang):
            out.append(f"{f.region_name}共监测{c['total']}项规划指标，其中{'、'.join(parts)}。")
        else:
            out.append(f"{f.region_name} monitors {c['total']} plan indicators: {', '.join(parts)}.")
    if f.targets:
        if _z(lang):
            items = [f"{t['name']}最新值{t['latest_text']}（{t['latest_label']}），目标"
                     f"{t['target_text']}（{t['target_year']}年），{t['status_text']}"
                     for t in f.targets]
            out.append("规划目标方面，" + "；".join(items) + "，需加快推进。")
        else:
            items = [f"{t['name']} at {t['latest_text']} ({t['latest_label']}) against "
                     f"{t['target_text']} by {t['target_year']}, {t['status_text'].lower()}"
                     for t in f.targets]
            out.append("Plan targets: " + "; ".join(items) + ".")
    if f.area == "targets" and f.volatile:
        if _z(lang):
            out.append(f"{_names(f.volatile, lang, with_values=False)}年度数值波动较大，请核实数据口径。")
        else:
            out.append(f"Volatile from year to year: {_names(f.volatile, lang, with_values=False)}; "
                       "check how they are reported.")
    if f.area == "targets" and f.gap_count and judged > 0:
        out.append(f"另有{f.gap_count}项指标数据不足，无法判断进度。" if _z(lang) else
                   f"{f.gap_count} indicators have too little data to judge.")
    return out


def gap_sentence(f: AreaFacts, lang: str) -> str | None:
    """Children that did not report, and (coverage) villages with no federation."""
    if f.area == "coverage" and f.villages_without:
        return (f"尚有{f.villages_without}个村（社区）未建立妇联组织。" if _z(lang) else
                f"{f.villages_without} villages/communities still have no women's federation.")
    if not f.gap_count or f.area == "targets":
        return None
    unit = UNIT_OF.get(f.child_level or "", {"zh": "个地区", "en": "regions"})[lang]
    ds = dataset_label(f.gap_dataset, lang)
    names = _names(f.gaps, lang, with_values=False)
    if _z(lang):
        more = "等" if f.gap_count > len(f.gaps) else ""
        return f"{names}{more}{f.gap_count}{unit}本期未报送{ds}数据。"
    return f"{f.gap_count} {unit} reported no {ds.lower()} this period: {names}" + \
        (" and others." if f.gap_count > len(f.gaps) else ".")


def sentences(f: AreaFacts, lang: str | None = None) -> list[str]:
    """The reading: at most MAX_SENTENCES sentences, most important first; [] when the facts hold
    nothing worth saying (too little data)."""
    lang = lang or f.lang
    if f.area == "overview":
        return overview_sentences(f, lang)[:MAX_SENTENCES]
    if f.area == "targets":
        return target_sentences(f, lang)[:MAX_SENTENCES]
    found = [headline_sentence(f, lang), laggard_sentence(f, lang), leader_sentence(f, lang),
             jump_sentence(f, lang), *target_sentences(f, lang), gap_sentence(f, lang)]
    return [s for s in found if s][:MAX_SENTENCES]
