"""What each source delivers per area, and so which figures no delivery can ever give (contract v3, `needs_reading`).

A source-level fact, declared once on the source's parser (`area_figures`, pipelines/parse/base.py):

- `counts`: counts, or shares with their numerator and denominator: the areas can be pooled or summed, and
  the unweighted mean of the areas can always be formed;
- `shares`: shares or rates only (e.g. Danmarks Statistik's key figures): the areas cannot be pooled;
- `index`: an index per area (e.g. the police's tryghedsindeks): an index cannot be summed or pooled;
- `verdicts`: verdicts on criteria, per area and for the areas together (`Samlet`); a mean of verdicts
  cannot be formed.

`raw.catalog_sources` also says whether a source's rows are persons (`rows_are_persons`: person level and the
questionnaire's respondents), so that the published ledger hides their row counts (rule 8). It holds one row per
source with the Danish text that explains a figure the source never
delivers and that cannot be derived (NULL where the figure can be delivered or derived). A reading the board
decides (readings.yaml, `combine: mean | weighted_mean`) turns a `combined` that needs a reading into a
computed one; the text says which readings would do.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.parse.base import AreaFigures, SourceParser

COUNTS, SHARES, INDEX, VERDICTS = AreaFigures.COUNTS, AreaFigures.SHARES, AreaFigures.INDEX, AreaFigures.VERDICTS
# Where a verdict for a qualitative criterion comes from when neither the catalog source nor a reading
# (readings.yaml `verdicts_from`) names a source of verdicts: the samarbejdsudvalg's yearly evaluation.
DEFAULT_VERDICT_SOURCE = "samarbejdsudvalg_evaluation"
# combine readings that form `combined` from the area values alone (int_kpi__unit_series)
MEAN_READINGS = ("mean", "weighted_mean")

# kind of area figure → area key → why the figure cannot be had and which readings would close it (Danish)
NEEDS_READING_DA: dict[str, dict[str, str]] = {
    SHARES: {
        "combined": (
            "kilden leverer kun andele pr. område, ikke antal, så områderne kan ikke puljes. Bestyrelsen kan "
            "vælge en læsning: det uvægtede gennemsnit af områderne, eller en puljet andel, hvis kilden også "
            "leverer tæller og nævner (antal personer)."),
    },
    INDEX: {
        "combined": (
            "kilden leverer et indeks pr. område, og et indeks kan ikke lægges sammen eller puljes. Bestyrelsen "
            "kan vælge en læsning: et gennemsnit vægtet med antal besvarelser pr. område (når kilden leverer "
            "dem) eller det uvægtede gennemsnit af områderne."),
    },
    VERDICTS: {
        "combined_mean": (
            "vurderinger leveres pr. område og for områderne samlet, og et gennemsnit af vurderinger kan ikke "
            "dannes. Bestyrelsen kan beslutte, at den samlede vurdering også gælder her, eller at kriteriet "
            "ikke vurderes som gennemsnit."),
    },
}
SOURCES_SCHEMA = {"source_system": pl.Utf8, "area_figures": pl.Utf8, "combined_needs_reading_da": pl.Utf8,
                  "combined_mean_needs_reading_da": pl.Utf8, "rows_are_persons": pl.Boolean}


def sources_frame(parsers: Mapping[str, SourceParser]) -> pl.DataFrame:
    """One row per source system: its kind of area figure and the figures that need a reading."""
    rows = []
    for source_system, parser in sorted(parsers.items()):
        kind = AreaFigures(parser.area_figures)
        texts = NEEDS_READING_DA.get(kind, {})
        rows.append({"source_system": source_system, "area_figures": kind.value,
                     "combined_needs_reading_da": texts.get("combined"),
                     "combined_mean_needs_reading_da": texts.get("combined_mean"),
                     "rows_are_persons": parser.rows_are_persons})
    return pl.DataFrame(rows, schema=SOURCES_SCHEMA)


def write_sources(con: duckdb.DuckDBPyConnection, parsers: Mapping[str, SourceParser]) -> None:
    """Replace raw.catalog_sources with what the parsers declare."""
    con.execute("create schema if not exists raw")
    con.register("sources_frame", sources_frame(parsers).to_arrow())
    try:
        con.execute("create or replace table raw.catalog_sources as select * from sources_frame")
    finally:
        con.unregister("sources_frame")
