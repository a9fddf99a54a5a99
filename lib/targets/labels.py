"""User-facing words of the target assessment, in Chinese and English, kept in one place."""
from __future__ import annotations

STATUSES = ("achieved", "on_track", "at_risk", "off_track", "insufficient_data")

STATUS_LABELS: dict[str, dict[str, str]] = {
    "achieved": {"zh": "达标", "en": "Achieved"},
    "on_track": {"zh": "按进度", "en": "On track"},
    "at_risk": {"zh": "有风险", "en": "At risk"},
    "off_track": {"zh": "滞后", "en": "Off track"},
    "insufficient_data": {"zh": "数据不足", "en": "Insufficient data"},
}
VOLATILE_LABEL = {"zh": "波动较大", "en": "Volatile"}

DIRECTION_LABELS: dict[str, dict[str, str]] = {
    "up": {"zh": "≥ 目标", "en": "≥ target"},
    "down": {"zh": "≤ 目标", "en": "≤ target"},
    "keep": {"zh": "保持在目标附近", "en": "≈ target"},
}

UNIT_LABELS: dict[str, dict[str, str]] = {
    "percent": {"zh": "%", "en": "%"},
    "per_100k": {"zh": "/10万", "en": "per 100k"},
    "count": {"zh": "个", "en": "count"},
}

DOMAIN_LABELS: dict[str, dict[str, str]] = {
    "health": {"zh": "健康", "en": "Health"},
    "education": {"zh": "教育", "en": "Education"},
    "economy": {"zh": "经济", "en": "Economy"},
    "decision": {"zh": "决策管理", "en": "Decision-making"},
    "social_security": {"zh": "社会保障", "en": "Social security"},
    "environment": {"zh": "环境", "en": "Environment"},
    "family": {"zh": "家庭建设", "en": "Family"},
    "organisation": {"zh": "组织建设", "en": "Organisation"},
}
WARNINGS_SHEET = {"zh": "预警", "en": "Warnings"}
NOTES_SHEET = {"zh": "说明", "en": "Notes"}

# Why an assessment has no (or a limited) verdict; {n} etc. are filled from the assessment.
REASON_LABELS: dict[str, dict[str, str]] = {
    "no_data": {"zh": "无观测数据", "en": "no observed values"},
    "too_few_years": {"zh": "观测年份不足三年（{n} 年），不作预测",
                      "en": "fewer than three observed years ({n}), no projection"},
    "no_target": {"zh": "未设定目标值或目标年份", "en": "no target value or target year"},
    "target_year_passed": {"zh": "目标年份已过，按最新值判断",
                           "en": "target year has passed; judged on the latest value"},
}

REPORT_COLUMNS: dict[str, dict[str, str]] = {
    "code": {"zh": "指标代码", "en": "Code"},
    "name": {"zh": "指标名称", "en": "Indicator"},
    "region_code": {"zh": "区划代码", "en": "Region code"},
    "unit": {"zh": "单位", "en": "Unit"},
    "direction": {"zh": "目标方向", "en": "Direction"},
    "baseline_year": {"zh": "基线年份", "en": "Baseline year"},
    "baseline_value": {"zh": "基线值", "en": "Baseline"},
    "latest_year": {"zh": "最新年份", "en": "Latest year"},
    "latest_value": {"zh": "最新值", "en": "Latest value"},
    "latest_as_of": {"zh": "最新值日期", "en": "Latest value as of"},
    "target_value": {"zh": "目标值", "en": "Target"},
    "target_year": {"zh": "目标年份", "en": "Target year"},
    "time_progress": {"zh": "时间进度", "en": "Time progress"},
    "attainment_progress": {"zh": "完成进度", "en": "Attainment progress"},
    "slope": {"zh": "年均变化", "en": "Change per year"},
    "projected_value": {"zh": "预计值", "en": "Projected"},
    "projected_low": {"zh": "预计下限", "en": "Projected low"},
    "projected_high": {"zh": "预计上限", "en": "Projected high"},
    "status": {"zh": "状态", "en": "Status"},
    "volatile": {"zh": "波动较大", "en": "Volatile"},
    "shortfall": {"zh": "预计差距", "en": "Shortfall"},
    "reason": {"zh": "说明", "en": "Note"},
}

REPORT_NOTES: dict[str, list[str]] = {
    "zh": [
        "年度监测报告：每个领域一张工作表，“预警”表列出有风险、滞后或波动较大的指标，按预计差距（占目标值的比例）从大到小排序。",
        "时间进度 = (最新年份 − 基线年份) ÷ (目标年份 − 基线年份)；完成进度 = 从基线到目标已缩小的差距比例。",
        "预计值：以基线年份起的观测值做 Theil–Sen 稳健趋势外推到目标年份；上下限来自斜率的置信区间（Sen 方法，90%）。",
        "达标：最新值已达到目标；按进度：预计值达到目标；有风险：预计值未达到但区间的有利一端达到；滞后：区间有利一端也达不到。",
        "波动较大：年度变化方向反复，且出现远大于一般年度变化的跳动，或来回摆动幅度远大于趋势。",
        "观测年份不足三年的指标不作预测，状态为“数据不足”。",
    ],
    "en": [
        "Annual monitoring report: one sheet per domain; the Warnings sheet lists at-risk, off-track and "
        "volatile indicators, sorted by projected shortfall (as a share of the target), largest first.",
        "Time progress = (latest year − baseline year) ÷ (target year − baseline year); attainment "
        "progress = share of the baseline gap to the target that has been closed.",
        "Projection: Theil–Sen robust trend of the values observed since the baseline year, extended to "
        "the target year; the low/high values come from Sen's 90 % confidence interval of the slope.",
        "Achieved: latest value meets the target; on track: the projection meets it; at risk: the "
        "projection misses but the favourable end of the interval meets it; off track: even that misses.",
        "Volatile: year-on-year changes reverse direction and include a jump far larger than the usual "
        "change, or swing back and forth by much more than the trend.",
        "Indicators with fewer than three observed years are not projected (status: insufficient data).",
    ],
}


def status_label(status: str, lang: str = "zh") -> str:
    return STATUS_LABELS[status][lang]


def domain_label(domain: str, lang: str = "zh") -> str:
    return DOMAIN_LABELS.get(domain, {}).get(lang, domain)


def reason_text(reason: str | None, lang: str = "zh", **params) -> str:
    if not reason:
        return ""
    return REASON_LABELS[reason][lang].format(**params)
