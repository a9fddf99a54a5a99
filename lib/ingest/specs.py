"""What each uploadable dataset looks like: canonical columns, their Chinese headers, kinds and values.

One declaration per dataset (canonical names, with the Chinese headers ledgers use as aliases);
readers, normalisers, schemas, templates and the dataset guesser all iterate over it, so a new
header alias is one line here.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field

# the glossary's terms of classified values (lib.i18n labels identifiers with them too)
from lib.terms import AUDIENCES, FAIR_TYPES, KINDS, MODES, ORG_TYPES, SECTORS, TOPICS

# Region columns shared by every dataset; the most specific name given wins.
REGION_COLUMNS: dict[str, tuple[str, ...]] = {
    "region_code": ("区划代码", "行政区划代码", "统计用区划代码", "代码"),
    "district_name": ("区县", "区（县）", "县区", "所属区县", "区"),
    "township_name": ("乡镇（街道）", "乡镇街道", "乡镇", "街道", "乡镇/街道"),
    "village_name": ("村（社区）", "村社区", "社区", "村", "村/社区"),
}
# Headers that carry nothing to load and are ignored rather than refused.
IGNORED_HEADERS = ("序号", "备注", "说明", "备注说明")


@dataclass(frozen=True)
class Col:
    """One canonical column: kind drives normalisation and validation."""
    name: str
    kind: str  # id / date / month / year / count / number / enum / text / indicator
    aliases: tuple[str, ...] = ()
    required: bool = False
    values: dict[str, str] = field(default_factory=dict)  # Chinese label → identifier (enum)
    example: object = None


@dataclass(frozen=True)
class Dataset:
    name: str
    label_zh: str
    columns: tuple[Col, ...]
    natural_key: tuple[str, ...]  # fields hashed into a derived id (id datasets) or the table key
    id_column: str | None = None
    region_level: str | None = None  # required region level (screening: township), None = any

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset("training", "培训", (
        Col("session_id", "id", ("培训编号",)),
        Col("held_on", "date", ("培训日期", "日期"), True, example="2024-03-05"),
        Col("topic", "enum", ("培训主题", "主题"), True, TOPICS, "家庭教育"),
        Col("audience", "enum", ("培训对象", "对象"), True, AUDIENCES, "妇女群众"),
        Col("mode", "enum", ("培训方式", "方式"), True, MODES, "线下"),
        Col("participants", "count", ("参训人次", "人次"), True, example=45),
        Col("hours", "number", ("学时",), example=3),
    ), ("region_code", "held_on", "topic", "audience", "mode"), "session_id"),
    Dataset("job_fair", "招聘会", (
        Col("fair_id", "id", ("招聘会编号",)),
        Col("held_on", "date", ("举办日期", "日期"), True, example="2024-03-05"),
        Col("fair_type", "enum", ("招聘会类型", "类型"), True, FAIR_TYPES, "春风行动"),
        Col("employers", "count", ("参会企业数",), True, example=30),
        Col("positions", "count", ("提供岗位数", "岗位数"), True, example=600),
        Col("women_attending", "count", ("参会妇女人次",), True, example=420),
        Col("intents", "count", ("达成就业意向人数", "意向人数"), True, example=85),
        Col("hires", "count", ("实际录用人数",), example=40),
    ), ("region_code", "held_on", "fair_type"), "fair_id"),
    Dataset("org_unit", "组织", (
        Col("org_id", "id", ("组织编号",)),
        Col("org_type", "enum", ("组织类型",), True, ORG_TYPES, "妇女之家"),
        Col("sector", "enum", ("所属领域",), False, SECTORS),
        Col("name", "text", ("组织名称",), example="茶园街道妇女之家"),
        Col("established_on", "date", ("成立日期",), example="2021-06-01"),
        Col("dissolved_on", "date", ("撤销日期",)),
        Col("exec_members", "count", ("执委人数",), example=9),
        Col("last_activity_on", "date", ("最近活动日期",), example="2024-05-20"),
    ), ("region_code", "org_type", "sector", "name"), "org_id"),
    Dataset("screening", "两癌筛查", (
        Col("month", "month", ("月份", "统计月份"), True, example="2024-03"),
        Col("kind", "enum", ("筛查类型",), True, KINDS, "宫颈癌筛查"),
        Col("screened", "count", ("筛查人数",), True, example=320),
        Col("abnormal", "count", ("异常人数", "可疑人数", "异常/可疑人数"), example=12),
        Col("diagnosed", "count", ("确诊人数", "确诊人数（癌及癌前病变）"), example=2),
        Col("treated", "count", ("治疗人数",), example=2),
        Col("aided", "count", ("救助人数",), example=1),
        Col("aid_amount_10k_yuan", "number", ("救助金额（万元）", "救助金额"), example=1.0),
    ), ("region_code", "month", "kind"), None, "township"),
    Dataset("screening_target", "筛查任务", (
        Col("year", "year", ("年度", "年份"), True, example=2024),
        Col("kind", "enum", ("筛查类型",), True, KINDS, "乳腺癌筛查"),
        Col("eligible_women", "count", ("适龄妇女数",), True, example=12000),
        Col("quota", "count", ("任务数",), example=4000),
    ), ("region_code", "year", "kind"), None, "township"),
    Dataset("indicator_value", "指标值", (
        Col("indicator_code", "indicator", ("指标代码", "指标名称"), True, example="H02"),
        Col("year", "year", ("年度", "年份"), True, example=2024),
        Col("value", "number", ("指标值", "数值"), True, example=65.5),
    ), ("indicator_code", "region_code", "year"), None),
]}


def norm_header(text: object) -> str:
    """Header text as compared: NFKC (full-width brackets → ASCII), no spaces, lower case."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return "".join(s.split())


def header_index(dataset: str) -> dict[str, str]:
    """Normalised header → canonical column for one dataset (identifiers accepted as themselves)."""
    spec = DATASETS[dataset]
    out: dict[str, str] = {}
    for name, aliases in REGION_COLUMNS.items():
        for a in (name, *aliases):
            out.setdefault(norm_header(a), name)
    for col in spec.columns:
        for a in (col.name, *col.aliases):
            out.setdefault(norm_header(a), col.name)
    if dataset == "indicator_value":
        out[norm_header("name_zh")] = "indicator_code"
    return out


@functools.cache
def all_headers() -> frozenset[str]:
    """Every header any dataset knows: used to find the header row below title lines (computed once:
    the header search asks for every cell of its first rows)."""
    return frozenset(h for d in DATASETS for h in header_index(d))
