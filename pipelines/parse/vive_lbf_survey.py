"""VIVE/LBF tryghedsmåling: trust in the authorities and community belonging (source_formats.md, section 15)."""

from pipelines.parse._indicator_table import IndicatorTableParser, share

PARSER = IndicatorTableParser("vive_lbf_survey", {"tillid_myndigheder_pct": share(), "faellesskab_pct": share()})
