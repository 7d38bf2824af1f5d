"""Unique visitors to the programme website (source_formats.md, section 15).

`unikke_besoegende` is one whole-year figure: monthly uniques do not add up to the year's, so a dated
row or a second row for the same year is rejected rather than summed.
"""

from pipelines.parse._indicator_table import IndicatorTableParser, count

PARSER = IndicatorTableParser("web_analytics", {"unikke_besoegende": count()})
