"""Plan targets: assessment of indicators (progress, Theil–Sen projection, status) and the report."""
from lib.targets.assess import (Assessment, Target, assess, assess_indicators, assessments_frame,
                                warnings)
from lib.targets.labels import STATUS_LABELS, VOLATILE_LABEL, reason_text, status_label
from lib.targets.report import monitoring_report_xlsx
from lib.targets.run import assess_children, assess_region
from lib.targets.theil_sen import Trend, theil_sen

__all__ = ["Assessment", "STATUS_LABELS", "Target", "Trend", "VOLATILE_LABEL", "assess",
           "assess_children", "assess_indicators", "assess_region", "assessments_frame",
           "monitoring_report_xlsx", "reason_text", "status_label", "theil_sen", "warnings"]
