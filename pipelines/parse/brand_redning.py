"""The fire service's incident list for the whole municipality (source_formats.md section 7).

One row per alarm. An incident counts as arson when `Brandårsag` is `Påsat`; it belongs to an area when
its address matches `area_addresses.csv` (other addresses are outside the programme and ignored). Every
area gets an explicit count for the year, zero included: a header-only file is a valid "no incidents".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import Cell, CellKind, RawRow, fold, read_delimited
from pipelines.parse._police import unknown_column_warnings
from pipelines.parse.base import (
    AggregateParser,
    Indicator,
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
    require_date_in_file,
)
from pipelines.periods import year_period
from pipelines.reference.addresses import AddressBook, split_street_address

INCIDENT, ALARM, ADDRESS, POSTCODE, TOWN = "Hændelsesnr", "Alarmtidspunkt", "Adresse", "Postnr", "By"
INCIDENT_TYPE, CAUSE = "Hændelsestype", "Brandårsag"
COLUMNS = (INCIDENT, ALARM, ADDRESS, POSTCODE, TOWN, INCIDENT_TYPE, CAUSE)
ARSON = "påsat"
INDICATOR = "paasatte_brande"
_POSTCODE = re.compile(r"^\d{4}$")
ALARM_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S")


def _alarm_time(row: RawRow, file_name: str) -> datetime:
    text = row[ALARM]
    for pattern in ALARM_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise DeliveryRejected(file_name, f"'{text or 'tom'}' er ikke et tidspunkt", "DD-MM-ÅÅÅÅ TT:MM",
                           row=row.number, column=ALARM)


class BrandRedningParser(AggregateParser):
    source_system = "brand_redning"
    extensions = ("csv",)
    columns = COLUMNS
    indicators: ClassVar[Mapping[str, Indicator]] = {INDICATOR: Indicator("count")}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        table = read_delimited(path, COLUMNS, allow_empty=True)
        reject_personal_data([table])
        if len(name.periods) != 1 or name.periods[0].label != str(name.first_day.year):
            raise DeliveryRejected(path.name, f"perioden {name.period_token} er ikke et kalenderår",
                                   "én hændelsesliste pr. år (brand_redning_ÅÅÅÅ_…)")
        addresses = AddressBook.from_reference(context.reference_dir)
        arson_by_area: Counter[str] = Counter()
        first_row: dict[str, int] = {}
        seen: dict[str, int] = {}
        for row in table.rows:
            incident = row[INCIDENT]
            if not incident:
                raise DeliveryRejected(path.name, "tomt hændelsesnummer", "et hændelsesnummer", row=row.number,
                                       column=INCIDENT)
            if incident in seen:
                raise DeliveryRejected(path.name, f"hændelse {incident} står også i række {seen[incident]}",
                                       "et hændelsesnummer der kun optræder én gang", row=row.number, column=INCIDENT)
            seen[incident] = row.number
            alarm = _alarm_time(row, path.name)
            require_date_in_file(alarm.date(), name, file_name=path.name, row=row.number, column=ALARM)
            if not _POSTCODE.match(row[POSTCODE]):
                raise DeliveryRejected(path.name, f"'{row[POSTCODE] or 'tom'}' er ikke et postnummer", "fire cifre",
                                       row=row.number, column=POSTCODE)
            street_address = split_street_address(row[ADDRESS])
            area_key = addresses.area_of(*street_address, row[POSTCODE]) if street_address else None
            if area_key is not None and fold(row[CAUSE]) == ARSON:
                arson_by_area[area_key] += 1
                first_row.setdefault(area_key, row.number)
        period = year_period(name.first_day.year)
        observations = [
            Observation(INDICATOR, area_key, period, Cell(CellKind.VALUE, arson_by_area[area_key]), "count",
                        first_row.get(area_key, 0), f"{arson_by_area[area_key]} påsatte brande")
            for area_key in addresses.area_keys
        ]
        return ParsedDelivery(observations_frame(observations), unknown_column_warnings(table, path))


PARSER = BrandRedningParser()
