"""Every metric declared once (code, labels, unit, direction, description); pages iterate over it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    code: str
    domain: str  # coverage / training / employment / screening
    label_zh: str
    label_en: str
    unit: str  # percent / count / 10k_yuan / ratio
    direction: str  # up / down
    description_zh: str
    description_en: str
    # When the figure is measured (lib/metrics/asof.figure_date): "day" a stock read on the
    # period's last day (coverage), "period" a flow over the period, "year_to_date" from 1 January
    # to the period's end, "cycle" over the 36 months to it.
    as_of: str = "period"

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def description(self, lang: str) -> str:
        return self.description_zh if lang == "zh" else self.description_en


METRICS: dict[str, Metric] = {m.code: m for m in [
    Metric("coverage.federation", "coverage", "村（社区）妇联覆盖率", "Federation coverage", "percent",
           "up", "有村（社区）妇联的村（社区）÷ 全部村（社区）",
           "villages/communities with a federation ÷ all villages/communities", "day"),
    Metric("coverage.federation.effective", "coverage", "妇联有效覆盖率",
           "Federation effective coverage", "percent", "up",
           "近180天内有活动的村（社区）妇联 ÷ 全部村（社区）",
           "villages whose federation was active in the last 180 days ÷ all villages", "day"),
    Metric("coverage.org_type", "coverage", "组织覆盖率", "Organisation coverage", "percent", "up",
           "有该类组织的村（社区）÷ 全部村（社区）",
           "villages/communities with the organisation type ÷ all villages/communities", "day"),
    Metric("training.sessions", "training", "培训场次", "Training sessions", "count", "up",
           "期间内举办的培训班场次", "training sessions held in the period"),
    Metric("training.participants", "training", "参训人次", "Participants (visits)", "count", "up",
           "期间内各培训班参训人次之和", "sum of participants over sessions in the period"),
    Metric("training.hours", "training", "培训学时", "Training hours", "count", "up",
           "期间内培训学时之和", "sum of session hours"),
    Metric("training.exec_coverage", "training", "执委参训率（人次估算）",
           "Exec training coverage (visit-based)", "percent", "up",
           "执委履职培训中执委参训人次 ÷ 在册执委人数，上限100%（台账按人次统计，为估算）",
           "exec-duty participants (visits) ÷ exec members on the roster, capped at 100 %"),
    Metric("employment.fairs", "employment", "招聘会场次", "Job fairs", "count", "up",
           "期间内举办的招聘会", "job fairs held in the period"),
    Metric("employment.positions", "employment", "提供岗位数", "Positions offered", "count", "up",
           "招聘会提供岗位数之和", "positions offered at fairs"),
    Metric("employment.women_attending", "employment", "参会妇女人次", "Women attending",
           "count", "up", "参会妇女人次之和", "women attending (visits)"),
    Metric("employment.intent_rate", "employment", "就业意向达成率", "Intent rate", "percent", "up",
           "达成就业意向人数 ÷ 参会妇女人次", "intents ÷ women attending"),
    Metric("employment.hires", "employment", "实际录用人数", "Hires", "count", "up",
           "实际录用人数之和", "hires reported"),
    Metric("screening.completion", "screening", "两癌筛查任务完成率", "Screening completion",
           "percent", "up", "年内筛查人数 ÷ 年度任务数", "screened in the year ÷ annual quota", "year_to_date"),
    Metric("screening.coverage", "screening", "两癌筛查覆盖率", "Screening coverage", "percent",
           "up", "近36个月筛查人数 ÷ 适龄妇女数", "screened over 36 months ÷ eligible women", "cycle"),
    Metric("screening.screened", "screening", "筛查人数", "Women screened", "count", "up",
           "期间内宫颈癌、乳腺癌筛查人数之和", "cervical and breast screenings in the period"),
    Metric("screening.abnormal_rate", "screening", "异常检出率", "Abnormal rate", "percent", "down",
           "异常（可疑）人数 ÷ 筛查人数", "abnormal ÷ screened"),
    Metric("screening.treatment_rate", "screening", "治疗率", "Treatment rate", "percent", "up",
           "治疗人数 ÷ 确诊人数", "treated ÷ diagnosed"),
]}


def metric(code: str) -> Metric:
    return METRICS[code]
