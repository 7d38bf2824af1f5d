"""Receiving: file a delivery that arrived under any name into `inbox/<system>/` under its contract name.

Identified by content only (source_formats.md §0.4): the system from header, sheets and closed value lists
that the parsers declare; the period from the data itself. Receiving is only filing: the file is then parsed,
validated and loaded like any other delivery. See docs/receiving.md.
"""
