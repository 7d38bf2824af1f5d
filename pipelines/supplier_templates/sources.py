"""The templates of the programme's own sources, one function per file contract (source_formats.md)."""

from __future__ import annotations

from datetime import date

from pipelines.catalog.load import Catalog
from pipelines.parse import _assessments as assessments
from pipelines.parse import _indicator_table as indicator_table
from pipelines.parse import own_registrations
from pipelines.parse._assessments import ASSESSMENT_VERDICTS
from pipelines.parse.base import SourceParser
from pipelines.periods import Period
from pipelines.supplier_templates.catalog_rows import unit_rows
from pipelines.supplier_templates.spec import Column, InputRule, Row, Template

WHOLE = InputRule("whole", minimum=0, prompt_da="Et helt tal ≥ 0. Lad feltet stå tomt, hvis tallet ikke er opgjort.")
NUMBER = InputRule("decimal", minimum=0, prompt_da="Et tal ≥ 0. Lad feltet stå tomt, hvis tallet ikke er opgjort.")
PERCENT = InputRule("decimal", minimum=0, maximum=100, prompt_da="En procent mellem 0 og 100.")
TEXT = InputRule("text", prompt_da="Fri tekst. Skriv aldrig CPR-numre eller navne.")
VERDICT = InputRule("list", choices=tuple(ASSESSMENT_VERDICTS), prompt_da="Vælg en vurdering fra listen.")

COMMON_INSTRUCTIONS = [
    "Udfyld kun de hvide felter; resten af arket er låst, så rækkerne passer til kriterierne.",
    "Skriv aldrig CPR-numre, navne eller adresser: filen er en aggregeret leverance, og et CPR-lignende tal "
    "afviser hele filen.",
    "Gem filen som .xlsx med det filnavn, den har (kilde_periode_leveringsdato.xlsx), og læg den i inbox/<kilde>/.",
    "Retter du en fil, der allerede er leveret, så gem den med en senere leveringsdato i filnavnet: den nye fil "
    "erstatter den gamle.",
    "Et felt med en ugyldig værdi afviser filen med en besked, der nævner arket og cellen (fx Registrering!D7).",
]


def file_name(source_system: str, token: str, delivered: date) -> str:
    return f"{source_system}_{token}_{delivered:%Y%m%d}.xlsx"


def own_registrations_template(catalog: Catalog, quarter: Period, delivered: date) -> Template:
    """Section 14: one workbook per quarter, a row per indicator code and area."""
    m = own_registrations
    rows = sorted(
        (Row({m.ACTIVITY: u.activity, m.INDICATOR: u.indicator, m.AREA: u.area_name, m.DESCRIPTION: u.text_da},
             {m.COUNT: PERCENT} if str(u.indicator).endswith("_pct") else {})
         for u in unit_rows(catalog, m.SOURCE_SYSTEM, quarter) if u.indicator),
        key=lambda r: (str(r.values[m.INDICATOR]), str(r.values[m.AREA])),
    )
    columns = [Column(m.ACTIVITY, 28), Column(m.INDICATOR, 30), Column(m.AREA, 30), Column(m.COUNT, 10, WHOLE),
               Column(m.REMARK, 36, TEXT), Column(m.NUMERATOR, 10, WHOLE), Column(m.DENOMINATOR, 10, WHOLE),
               Column(m.DESCRIPTION, 90)]
    instructions = [f"Egne registreringer for kvartalet {quarter.label}: antal i kvartalet for strømme (fx "
                    "formidlede job), bestanden ved kvartalets udgang for bestande (fx aktive frivillige), procenter "
                    "som tal mellem 0 og 100. Skriv ved procenter også tæller og nævner (fx 23 af 40): uden dem "
                    "kan andelen ikke kontrolleres for små tal. Ved antal står tæller og nævner tomme.",
                    *COMMON_INSTRUCTIONS]
    return Template(m.SOURCE_SYSTEM, file_name(m.SOURCE_SYSTEM, quarter.label, delivered), m.SHEET, columns, rows,
                    instructions)


def assessment_template(catalog: Catalog, parser: SourceParser, year: Period, delivered: date,
                        also_judges: tuple[str, ...] = ()) -> Template:
    """Section 17: a verdict (dropdown) and a one-sentence reason per criterion, area and year.

    `also_judges`: sources whose qualitative criteria (no measured indicator) this assessment judges too.
    """
    a = assessments
    units = [*unit_rows(catalog, parser.source_system, year),
             *(u for source in also_judges for u in unit_rows(catalog, source, year) if u.indicator is None)]
    rows = [Row({a.YEAR: year.label, a.AREA: u.area_name, a.CRITERION: u.criterion_id, a.CRITERION_TEXT: u.text_da})
            for u in units]
    columns = [Column(a.YEAR, 7), Column(a.AREA, 30), Column(a.CRITERION, 44), Column(a.VERDICT, 18, VERDICT),
               Column(a.REASON, 60, TEXT), Column(a.SOURCE, 28, TEXT), Column(a.CRITERION_TEXT, 90)]
    instructions = [f"Vurderinger for {year.label}: vælg en vurdering for hvert kriterium og område, og skriv én "
                    "dansk sætning som begrundelse (den vises for bestyrelsen). Rækker uden vurdering og "
                    "begrundelse regnes som ikke leveret.", *COMMON_INSTRUCTIONS]
    return Template(parser.source_system, file_name(parser.source_system, year.label, delivered), a.TEMPLATE_SHEET,
                    columns, rows, instructions)


def indicator_template(catalog: Catalog, parser: SourceParser, year: Period, delivered: date) -> Template:
    """Section 15: one value per indicator, area and year (Tæller/Nævner for shares)."""
    t = indicator_table
    rows = []
    for u in unit_rows(catalog, parser.source_system, year):
        if not u.indicator:
            continue
        indicator = parser.indicators.get(u.indicator)
        unit = indicator.unit if indicator else "count"
        rules = {t.VALUE: PERCENT} if unit == t.PERCENT else {t.VALUE: WHOLE} if unit == "count" else {}
        rows.append(Row({t.YEAR: year.label, t.AREA: u.area_name, t.INDICATOR: u.indicator, t.DESCRIPTION: u.text_da},
                        rules))
    columns = [Column(t.YEAR, 7), Column(t.AREA, 30), Column(t.INDICATOR, 30), Column(t.VALUE, 12, NUMBER),
               Column(t.NUMERATOR, 10, WHOLE), Column(t.DENOMINATOR, 10, WHOLE), Column(t.SOURCE, 28, TEXT),
               Column(t.DESCRIPTION, 90)]
    instructions = [f"Årstal for {year.label}: ét tal pr. indikator og område for hele året. Andele skrives som "
                    "procent; angiv da også tæller og nævner.", *COMMON_INSTRUCTIONS]
    return Template(parser.source_system, file_name(parser.source_system, year.label, delivered), t.TEMPLATE_SHEET,
                    columns, rows, instructions)
