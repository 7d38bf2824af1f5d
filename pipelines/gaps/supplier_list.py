"""`data_gaps` collapsed into one line per supplier, source, period and gap type: a list to send to each supplier.

Rows of `data_gaps` are per criterion × area × period; a supplier needs one line per delivery it owes,
naming the criteria and areas that wait for it. Read from the published file only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from pipelines.areas import ProgrammeAreas
from pipelines.source_names import source_name_da
from pipelines.vocabulary import words

GAP_TYPES_DA = words("gap_type_in_supplier_list")
NO_SUPPLIER = "Ingen leverance forventet"
BOARD = "Bestyrelsen"  # data_gaps.supplier of needs_reading (dbt var board_supplier)
BOARD_TITLE = "Kræver bestyrelsens beslutning"


@dataclass(frozen=True)
class SupplierGap:
    supplier: str
    source_system: str
    period: str | None
    gap_type: str
    due_date: date | None
    criteria: int
    areas: str
    detail: str
    area_names: ProgrammeAreas = field(default_factory=ProgrammeAreas.none)

    @property
    def gap_type_da(self) -> str:
        return GAP_TYPES_DA.get(self.gap_type, self.gap_type)

    @property
    def source_name_da(self) -> str:
        return source_name_da(self.source_system)

    @property
    def areas_da(self) -> str:
        """The areas by their short Danish names (the programme's catalog; Samlet, Gns.)."""
        return ", ".join(self.area_names.short(a) for a in self.areas.split(", ")) if self.areas else ""


def supplier_gaps(con: duckdb.DuckDBPyConnection, supplier: str | None = None) -> list[SupplierGap]:
    """Gaps grouped by supplier (overdue first), optionally only suppliers whose name contains `supplier`."""
    rows = con.execute(
        """
        with named as (
            select * replace (coalesce(supplier, $none) as supplier) from data_gaps
        )
        select
            supplier,
            source_system,
            period,
            gap_type,
            due_date,
            count(distinct criterion_id) as criteria,
            string_agg(distinct area_key, ', ' order by area_key) as areas,
            min(detail) as detail
        from named
        where $wanted is null or contains(lower(supplier), lower($wanted))
        group by supplier, source_system, period, gap_type, due_date
        order by max(supplier = $none), supplier, due_date nulls last, source_system, period, gap_type
        """,
        {"none": NO_SUPPLIER, "wanted": supplier},
    ).fetchall()
    names = ProgrammeAreas.from_published(con)
    return [SupplierGap(s, src, p, g, d, c, a or "", det or "", names) for s, src, p, g, d, c, a, det in rows]


HEADERS_DA = ["Leverandør", "Kilde", "Periode", "Mangel", "Frist", "Kriterier", "Områder", "Detalje"]


def as_rows(gaps: list[SupplierGap]) -> list[list[object]]:
    return [[g.supplier, g.source_system, g.period or "", g.gap_type_da, g.due_date, g.criteria, g.areas, g.detail]
            for g in gaps]
