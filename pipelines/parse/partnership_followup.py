"""Partnership follow-up: board assessments, overall evaluations and the annual conference (section 15).

Counts per calendar year, usually for `Samlet` (the programme as a whole).
"""

from pipelines.parse._indicator_table import IndicatorTableParser, count

PARSER = IndicatorTableParser("partnership_followup", {
    "bestyrelsesvurderinger": count(),
    "helhedsevaluering": count(),
    "aarskonference": count(),
})
