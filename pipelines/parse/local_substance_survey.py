"""SSP opgørelse of cannabis debut and use among 15-25-year-olds, pr. 1.10 (source_formats.md, section 15).

Tæller and Nævner are required: the areas are pooled (Σ Tæller / Σ Nævner), never averaged.
"""

from pipelines.parse._indicator_table import IndicatorTableParser, share

PARSER = IndicatorTableParser("local_substance_survey", {"hash_debut_pct": share(), "hash_brug_pct": share()},
                              shares_need_counts=True)
