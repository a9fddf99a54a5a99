"""Words for leaders: the written reading of every page and the monthly 通报.

Facts are gathered through the same queries and metric functions the pages use (``gather``), then
turned into sentences by deterministic templates (``text``): pure functions, facts in, sentences
out, no language model. Every number a sentence says is a formatted string carried by the facts,
formatted with lib/fmt exactly as the pages format it, so the reading can never disagree with the
figures beside it.
"""
from lib.reading.facts import AREAS, AreaFacts
from lib.reading.text import sentences

__all__ = ["AREAS", "AreaFacts", "sentences"]
