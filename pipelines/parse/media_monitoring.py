"""Negative and positive stories about the areas in the selected local media (source_formats.md, section 15)."""

from pipelines.parse._indicator_table import IndicatorTableParser, count

PARSER = IndicatorTableParser("media_monitoring", {"negative_omtaler": count(), "positive_historier": count()})
