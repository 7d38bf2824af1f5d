"""Estimated attendance at the cross-cutting events, from the working group (source_formats.md, section 15)."""

from pipelines.parse._indicator_table import IndicatorTableParser, count

PARSER = IndicatorTableParser("event_attendance_estimate", {"deltagere_anslaaet": count()})
