"""Misbrugscenterets count of parents under 40 in addiction treatment, pr. 1.10 (source_formats.md, section 15).

An aggregate count per area; the centre delivers no CPR numbers.
"""

from pipelines.parse._indicator_table import IndicatorTableParser, count

PARSER = IndicatorTableParser("misbrug_treatment_registry", {"foraeldre_u40_i_behandling": count(stock=True)})
