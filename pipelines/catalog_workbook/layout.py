"""The workbook's sheets and columns: Danish header ↔ catalog key, kind of cell, drop-down list, explanation.

Reading and writing share these tables, so a column renamed here is renamed in both.
"""

from __future__ import annotations

from dataclasses import dataclass

PROGRAM, AREAS, CRITERIA, BASELINES, READINGS = "Program", "Områder", "Kriterier", "Baselines", "Læsninger"
GUIDE, LISTS, META = "Vejledning", "Lister", "Metadata"
DATA_SHEETS = (PROGRAM, AREAS, CRITERIA, BASELINES, READINGS)
LATER = "fastsættes senere"  # a baseline the agreement leaves to be measured (value null)
YES, NO = "ja", "nej"

# Program sheet: one row per field (column A the field, column B its value); plan periods repeat.
FIELD, VALUE = "Felt", "Værdi"
PROGRAMME_NAME, MUNICIPALITY, VERSION = "Programnavn", "Kommune", "Katalogversion"
READINGS_VERSION, PLAN_PERIOD = "Læsningernes version", "Planperiode"

# kinds of cell
TEXT, LINES, NUMBER, PERIOD, YAML, BOOL = "text", "lines", "number", "period", "yaml", "bool"


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the catalog key (for rule parameters the key inside target_rule)
    kind: str = TEXT
    vocab: str | None = None  # the Lister column whose values the drop-down offers
    explanation_da: str = ""
    width: int = 18


RULE_PARAMETERS = ("kind", "op", "value", "value_upper", "pct", "direction", "by_year", "baseline_year", "same_as")
EXTRA = "Øvrige felter (YAML)"

AREA_COLUMNS = (
    Column("Nøgle", "key", explanation_da="Områdets korte nøgle (små bogstaver, uden mellemrum); bruges overalt "
           "i kataloget. 'combined' er alle områder samlet.", width=14),
    Column("Navn", "name_da", explanation_da="Områdets danske navn, som det står i rapporten.", width=32),
    Column("By", "town", explanation_da="Byen området ligger i.", width=14),
    Column("Aliaser", "aliases", LINES, explanation_da="Andre navne for området i leverancerne, ét pr. linje "
           "(Alt+Enter i Excel).", width=40),
    Column("Planperioder", "plan_periods", LINES,
           explanation_da="De planperioder området hører til, én pr. linje; et kriterium i en planperiode kan kun "
           "nævne områder fra den periode.", width=26),
    Column("På SUB-listen ved start", "on_sub_list_at_start", BOOL, "JaNej",
           explanation_da="ja, hvis området stod på regeringens liste ved planens start.", width=12),
    Column("Note", "note", explanation_da="Fri note.", width=30),
    Column(EXTRA, "*", YAML, explanation_da="Felter uden egen kolonne, skrevet som YAML; lad stå tom.", width=20),
)

CRITERION_COLUMNS = (
    Column("Id", "id", explanation_da="Kriteriets entydige id (små bogstaver, tal og _).", width=36),
    Column("Fælles id", "canonical_id", explanation_da="Kriterier der måler det samme, får samme fælles id og "
           "beregnes én gang; tom = samme som Id.", width=36),
    Column("Niveau", "level", vocab="Niveauer", explanation_da="Aftalens niveau.", width=14),
    Column("Kriterietype", "criterion_type", explanation_da="Hvordan aftalen kalder det (succeskriterium, "
           "delmål, indikator ...).", width=16),
    Column("Planperiode", "plan_period", PERIOD, "Planperioder",
           explanation_da="Den planperiode kriteriet hører til (fra arket Program).", width=24),
    Column("Indsatsområde", "indsatsomraade", explanation_da="Indsatsområdet i aftalen.", width=30),
    Column("Aktivitet", "activity", explanation_da="Aktiviteten, hvis kriteriet hører til en.", width=24),
    Column("Delmål", "delmaal_da", explanation_da="Delmålet, hvis aftalen har et.", width=24),
    Column("Kriterietekst", "text_da", explanation_da="Kriteriet ordret fra aftalen.", width=60),
    Column("Resumé (engelsk)", "summary_en", explanation_da="Kort resumé på engelsk (valgfrit).", width=30),
    Column("Måling", "metric", explanation_da="Hvad der tælles eller måles.", width=30),
    Column("Enhed", "unit", vocab="Enheder", explanation_da="Enheden for tallet.", width=12),
    Column("Retning", "direction", vocab="Retninger", explanation_da="Hvilken vej tallet skal bevæge sig.",
           width=12),
    Column("Kildesystem", "source_system", vocab="Kildesystemer",
           explanation_da="Det system der leverer tallet; 'none' for en målsætning uden datakilde.", width=24),
    Column("Indikator", "reading.indicator", vocab="Indikatorer",
           explanation_da="Den indikator kildesystemet leverer, som kriteriet vurderes på (listen viser "
           "kildesystemets indikatorer).", width=28),
    Column("Øvrige kildesystemer", "secondary_source_systems", LINES,
           explanation_da="Andre kilder aftalen nævner, én pr. linje.", width=20),
    Column("Datakilde (tekst)", "data_source", explanation_da="Datakilden med aftalens ord.", width=24),
    Column("Områder", "areas", LINES, explanation_da="Områdernes nøgler, én pr. linje.", width=16),
    Column("Granularitet", "granularity", vocab="Granulariteter",
           explanation_da="per_area: hvert område; combined: områderne samlet; both: hver for sig og samlet.",
           width=12),
    Column("Frekvens", "frequency", vocab="Frekvenser", explanation_da="Hvor ofte der måles.", width=12),
    Column("Regeltype", "rule.kind", vocab="Regeltyper", explanation_da="Hvordan kriteriet vurderes.", width=24),
    Column("Operator", "rule.op", vocab="Operatorer", explanation_da="Sammenligningen: <, <=, >, >=, ==.", width=8),
    Column("Grænse", "rule.value", NUMBER, explanation_da="Tallet der skal nås (tærskel, antal, andel).", width=10),
    Column("Øvre grænse", "rule.value_upper", NUMBER, explanation_da="Øvre grænse for et interval (3-4).", width=10),
    Column("Procent", "rule.pct", NUMBER, explanation_da="Procentvis ændring (fx 10 for 'falde 10 % om året').",
           width=10),
    Column("Regelretning", "rule.direction", vocab="Retninger",
           explanation_da="Retningen for en ændring mod baseline (increase/decrease).", width=12),
    Column("Senest år", "rule.by_year", NUMBER, explanation_da="Året målet skal være nået.", width=10),
    Column("Baselineår", "rule.baseline_year", NUMBER, explanation_da="Året ændringen måles fra.", width=10),
    Column("Samme regel som", "rule.same_as", explanation_da="Id på et kriterium hvis regel gælder her også.",
           width=24),
    Column("Regel, øvrige (YAML)", "*rule", YAML, explanation_da="Regelparametre uden egen kolonne, som YAML "
           "(fx note: ..., eller en regel pr. område).", width=30),
    Column("Frist", "reading.due_period", PERIOD,
           explanation_da="Perioden målet skal være nået i (fx 2021); skal ligge i planperioden.", width=10),
    Column("Kildehenvisninger", "seed_ref", LINES, explanation_da="Hvor i aftalen kriteriet står, én pr. linje.",
           width=24),
    Column("Relaterede id'er", "related_ids", LINES, explanation_da="Beslægtede kriterier, én pr. linje.",
           width=24),
    Column("Uklarheder", "ambiguities", LINES, explanation_da="Uklarheder i aftalens tekst, én pr. linje.",
           width=30),
    Column(EXTRA, "*", YAML, explanation_da="Felter uden egen kolonne, som YAML; lad stå tom.", width=20),
)
STANDARD_CRITERION_KEYS = (
    "id", "canonical_id", "level", "criterion_type", "plan_period", "indsatsomraade", "activity", "delmaal_da",
    "text_da", "summary_en", "metric", "unit", "direction", "target_rule", "baseline", "areas", "granularity",
    "data_source", "source_system", "secondary_source_systems", "frequency", "seed_ref", "related_ids",
    "ambiguities",
)

BASELINE_COLUMNS = (
    Column("Kriterie-id", "criterion_id", explanation_da="Id fra arket Kriterier.", width=36),
    Column("Område", "area", vocab="Baselineområder", explanation_da="Områdets nøgle, 'combined', en "
           "sammenligning (denmark, sub_average, ...) eller all_areas.", width=16),
    Column("År", "year", PERIOD, explanation_da="Baselinens periode (år).", width=8),
    Column("Værdi", "value", NUMBER, explanation_da=f"Tallet, eller '{LATER}' hvis aftalen siger, at "
           "baseline måles senere.", width=16),
    Column("Enhed", "unit", vocab="Enheder", explanation_da="Enheden.", width=12),
    Column("Rolle", "role", explanation_da="Tom = baseline; reference_only m.fl. = kun til orientering.", width=16),
    Column("Citat", "quote", explanation_da="Aftalens ord.", width=40),
    Column("Kildehenvisning", "seed_ref", explanation_da="Hvor i aftalen.", width=24),
    Column(EXTRA, "*", YAML, explanation_da="Felter uden egen kolonne, som YAML; lad stå tom.", width=20),
)
STANDARD_BASELINE_KEYS = ("area", "year", "value", "unit", "quote", "seed_ref")

READING_COLUMNS = (
    Column("Fælles id", "canonical_id", explanation_da="Det fælles id læsningen gælder.", width=36),
    Column("Indikatorens kildesystem", "indicator.source_system", vocab="Kildesystemer",
           explanation_da="Kildesystemet for indikatoren (tom = kriteriets eget).", width=24),
    Column("Indikator", "indicator.indicator", vocab="Indikatorer", explanation_da="Indikatoren.", width=28),
    Column("Sammenlægning", "combine", vocab="Sammenlægning", explanation_da="Hvordan områderne lægges sammen: "
           "pooled, sum, mean, weighted_mean eller none.", width=14),
    Column("Baselineperiode", "baseline_period", PERIOD, explanation_da="Perioden hvis værdi er baseline.",
           width=10),
    Column("Første vurderede periode", "first_evaluated_period", PERIOD,
           explanation_da="Tidligere perioder vises kun som baggrund.", width=10),
    Column("Første periode", "first_period", PERIOD, explanation_da="Første viste periode.", width=10),
    Column("Frist", "due_period", PERIOD, explanation_da="Perioden målet skal være nået i.", width=10),
    Column("Sidste periode", "last_period", PERIOD, explanation_da="Sidste vurderede periode.", width=10),
    Column("Periodetype", "grain", vocab="Periodetyper",
           explanation_da="year, quarter, school_year eller birth_cohort.", width=12),
    Column("Tærskelområde", "threshold_area", vocab="Baselineområder",
           explanation_da="En sammenligning hvis værdi samme år er tærsklen.", width=14),
    Column("Aggregering", "aggregation", explanation_da="value (standard) eller running_mean.", width=12),
    Column("Årstal", "year_label", explanation_da="data (standard) eller publication.", width=12),
    Column("Områdelofter", "area_caps", explanation_da="stricter: det strengeste loft gælder.", width=12),
    Column("Udgivelsesforsinkelse (mdr.)", "publication_lag_months", NUMBER,
           explanation_da="Måneder efter periodens udgang, før tallet kan vurderes.", width=10),
    Column("Vurderinger fra", "verdicts_from", vocab="Kildesystemer",
           explanation_da="Kilden til vurderinger af et kvalitativt kriterium.", width=24),
    Column("Begrundelse", "reason_da", explanation_da="Læsningen i én dansk sætning (vises i rapporten).",
           width=50),
    Column(EXTRA, "*", YAML, explanation_da="Fx rule:, per_area:, then: som YAML.", width=30),
)
AREA_ROWS = 100  # rows of the Områder sheet the area drop-downs follow
PLAN_PERIOD_CELLS = "$B$6:$B$30"  # the Program sheet's plan period rows (after the four fixed fields)
SHEET_COLUMNS = {AREAS: AREA_COLUMNS, CRITERIA: CRITERION_COLUMNS, BASELINES: BASELINE_COLUMNS,
                 READINGS: READING_COLUMNS}
OPERATORS = ("<", "<=", ">", ">=", "==")
GRAINS = ("year", "quarter", "school_year", "birth_cohort")
