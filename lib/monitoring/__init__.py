"""The annual monitoring report (and the mid-term / final evaluation) as Word: the plan's
assessments with their follow-up items and readings, above both lib.targets and lib.followup."""
