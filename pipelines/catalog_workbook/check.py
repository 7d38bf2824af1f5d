"""Every problem of a catalog at once, each located (a workbook cell or the YAML path) and in Danish.

Errors stop the catalog (`kpi catalog import` writes nothing, the nightly loads nothing, exit 4); warnings are
shown but the catalog can be used: a goal statement without a source, a secondary source the project has no
parser for, and a `combined` figure the source can never give (status `needs_reading` until the board decides
a reading, contract version 3).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from pipelines.catalog_workbook.problems import ERROR, WARNING, Locations, Problem
from pipelines.catalog_workbook.vocab import NO_SOURCE, PSEUDO_AREAS, Vocabulary, joined_areas
from pipelines.load.source_figures import INDEX, MEAN_READINGS, SHARES
from pipelines.yaml_text import load_yaml

_PLAN_PERIOD = re.compile(r"^(\d{4})-\d{2}-\d{2}/(\d{4})-\d{2}-\d{2}$")
# rule kind → the parameter it cannot be judged without (found in the rule, a scoped part of it, or a reading)
REQUIRED_PARAMETER = {"absolute_threshold": "value", "reach_by_date": "value", "yearly_count_at_least": "value",
                      "share_at_least": "value", "yearly_pct_change_vs_previous_year": "pct"}
PARAMETER_DA = {"value": "en grænse (Grænse)", "pct": "en procent (Procent) eller en operator"}
FIGURE_DA = {SHARES: "kun andele pr. område", INDEX: "et indeks pr. område"}


def _plan_years(period: Any) -> tuple[int, int] | None:
    match = _PLAN_PERIOD.match(str(period or ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def _year(period: Any) -> int | None:
    match = re.match(r"^(\d{4})", str(period)) if period is not None else None
    return int(match.group(1)) if match else None


def _has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return (key in value and value[key] is not None) or any(_has_key(v, key) for v in value.values())
    return False


def _kinds(rule: dict[str, Any]) -> list[str | None]:
    if "kind" in rule:
        return [rule["kind"]]
    return [v.get("kind") for v in rule.values() if isinstance(v, dict) and "kind" in v] or [None]


class _Checker:
    def __init__(self, document: dict[str, Any], readings: dict[str, dict[str, Any]], where: Locations,
                 vocab: Vocabulary, area_plans: dict[str, list[str]] | None) -> None:
        self.document, self.readings, self.where, self.vocab = document, readings, where, vocab
        self.area_plans = area_plans or {}
        self.problems: list[Problem] = []
        self.criteria: list[dict[str, Any]] = [c for c in document.get("criteria") or [] if isinstance(c, dict)]
        self.areas = dict(document.get("areas") or {})
        self.plans = {v: _plan_years(v) for v in (document.get("plan_periods") or {}).values()}
        self.by_id = {c.get("id"): c for c in self.criteria}

    def add(self, path: tuple[Any, ...], message: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(self.where.at(*path), message, severity))

    def unknown(self, path: tuple[Any, ...], what: str, value: Any, allowed: tuple[str, ...] | list[str]) -> None:
        shown = ", ".join(allowed) if len(allowed) <= 12 else ", ".join(allowed[:12]) + ", ..."
        self.add(path, f"ukendt {what} '{value}'; vælg en af {shown}")

    # --- the programme -------------------------------------------------------------------------------
    def programme(self) -> None:
        if not self.plans:
            self.add(("plan_periods",), "programmet har ingen planperiode (arket Program, feltet Planperiode)")
        for key, period in (self.document.get("plan_periods") or {}).items():
            years = _plan_years(period)
            if years is None or years[0] > years[1]:
                self.add(("plan_periods", key), f"planperioden '{period}' skal skrives ÅÅÅÅ-MM-DD/ÅÅÅÅ-MM-DD")
        if not [k for k in self.areas if k != "combined"]:
            self.add(("areas",), "programmet har ingen områder (arket Områder)")
        for key, area in self.areas.items():
            if not re.fullmatch(r"[a-z0-9_]+", str(key)):
                self.add(("areas", key), f"områdenøglen '{key}' må kun have små bogstaver, tal og _")
            if not (area or {}).get("name_da"):
                self.add(("areas", key, "name_da"), f"området '{key}' har intet navn")
            for period in self.area_plans.get(key, []):
                if period not in self.plans:
                    self.add(("areas", key, "plan_periods"), f"planperioden '{period}' er ikke en af programmets "
                             f"planperioder ({', '.join(self.plans)})")

    # --- one criterion -------------------------------------------------------------------------------
    def criterion(self, index: int, c: dict[str, Any]) -> None:
        at = ("criteria", index)
        cid = c.get("id")
        if not cid:
            self.add((*at, "id"), "kriteriet har intet id")
        elif not re.fullmatch(r"[a-z0-9_]+", str(cid)):
            self.add((*at, "id"), f"id'et '{cid}' må kun have små bogstaver, tal og _")
        if not c.get("text_da"):
            self.add((*at, "text_da"), f"kriteriet '{cid}' har ingen kriterietekst")
        for key, what, allowed in (("level", "niveau", self.vocab.levels), ("unit", "enhed", self.vocab.units),
                                   ("direction", "retning", self.vocab.directions),
                                   ("granularity", "granularitet", self.vocab.granularities),
                                   ("frequency", "frekvens", self.vocab.frequencies)):
            value = c.get(key)
            if value is not None and value not in allowed:
                self.unknown((*at, key), what, value, allowed)
            elif value is None and key in ("level", "granularity"):
                self.add((*at, key), f"kriteriet '{cid}' mangler {what}")
        plan = c.get("plan_period")
        if plan not in self.plans:
            self.add((*at, "plan_period"), f"planperioden '{plan}' er ikke en af programmets planperioder "
                     f"({', '.join(self.plans) or 'ingen'})")
        self.areas_of(at, c)
        self.source(at, c)
        self.rule(at, c)
        self.baselines(at, c)

    def areas_of(self, at: tuple[Any, ...], c: dict[str, Any]) -> None:
        areas = c.get("areas") or []
        if not areas and c.get("source_system") not in (None, NO_SOURCE):
            self.add((*at, "areas"), f"kriteriet '{c.get('id')}' nævner ingen områder")
        for area in areas:
            if area not in self.areas:
                self.unknown((*at, "areas"), "område", area, list(self.areas))
            elif self.area_plans.get(area) and c.get("plan_period") not in self.area_plans[area]:
                self.add((*at, "areas"), f"området '{area}' hører ikke til planperioden {c.get('plan_period')} "
                         "(arket Områder, kolonnen Planperioder)")

    def source(self, at: tuple[Any, ...], c: dict[str, Any]) -> None:
        source = c.get("source_system")
        if source in (None, NO_SOURCE):
            self.add((*at, "source_system"), f"kriteriet '{c.get('id')}' har ingen datakilde: det er en "
                     "målsætning og vurderes ikke", WARNING)
        elif source not in self.vocab.source_systems:
            self.unknown((*at, "source_system"), "kildesystem", source, self.vocab.source_systems)
        known = set(self.vocab.source_systems) | set(self.document.get("source_systems") or {})
        for other in c.get("secondary_source_systems") or []:
            if other not in known:
                self.add((*at, "secondary_source_systems"), f"ukendt kildesystem '{other}' (øvrige kilder)", WARNING)

    def rule(self, at: tuple[Any, ...], c: dict[str, Any]) -> None:
        rule = c.get("target_rule") or {}
        reading = self.readings.get(c.get("canonical_id"), {})
        overrides = {**rule, **(reading.get("rule") or {})}
        if ref := rule.get("same_as"):
            if ref not in self.by_id:
                self.add((*at, "target_rule", "same_as"), f"'{ref}' er ikke et id i kataloget")
            return
        for kind in _kinds(overrides):
            if kind is None:
                self.add((*at, "target_rule", "kind"), f"kriteriet '{c.get('id')}' har ingen regeltype")
                continue
            if kind not in self.vocab.rule_kinds:
                self.unknown((*at, "target_rule", "kind"), "regeltype", kind, self.vocab.rule_kinds)
                continue
            if kind == "change_vs_baseline" and not (_has_key(overrides, "direction") or c.get("direction")
                                                     or _has_key(overrides, "op")):
                self.add((*at, "direction"), "regeltypen change_vs_baseline kræver en retning (Retning)")
            needed = REQUIRED_PARAMETER.get(kind)
            alternatives = [needed, "op"] if needed == "pct" else [needed, "threshold_area"]
            if needed and not any(_has_key(overrides, k) or _has_key(reading, k) for k in alternatives):
                self.add((*at, "target_rule", needed), f"regeltypen {kind} kræver {PARAMETER_DA[needed]}")
        for key in ("by_year",):
            self.period_in_plan((*at, "target_rule", key), rule.get(key), c, "Senest år", after_ok=True)

    def period_in_plan(self, path: tuple[Any, ...], period: Any, c: dict[str, Any], what: str,
                       after_ok: bool = False, before_ok: bool = False) -> None:
        years, year = self.plans.get(c.get("plan_period")), _year(period)
        if years is None or year is None:
            return
        if (year < years[0] and not before_ok) or (year > years[1] and not after_ok):
            self.add(path, f"{what} {period} ligger uden for planperioden {years[0]}-{years[1]}")
        elif year > years[1]:
            self.add(path, f"{what} {period} ligger efter planperioden {years[0]}-{years[1]}", WARNING)

    def baselines(self, at: tuple[Any, ...], c: dict[str, Any]) -> None:
        allowed = [*self.areas, "combined_mean", *self.vocab.comparators, *PSEUDO_AREAS,
                   *joined_areas(list(self.areas))]
        for number, baseline in enumerate(c.get("baseline") or []):
            path = (*at, "baseline", number)
            if baseline.get("area") not in allowed:
                self.unknown((*path, "area"), "baselineområde", baseline.get("area"), allowed)
            value = baseline.get("value")
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                self.add((*path, "value"), f"baselineværdien '{value}' er ikke et tal")
            if not baseline.get("role"):  # context values (reference_only ...) may be older than the plan
                years = self.plans.get(c.get("plan_period"))
                year = _year(baseline.get("year"))
                if years and year is not None and year > years[1]:
                    self.add((*path, "year"), f"baselineåret {baseline.get('year')} ligger efter planperioden "
                             f"{years[0]}-{years[1]}")

    # --- across criteria -----------------------------------------------------------------------------
    def duplicates(self) -> None:
        seen: dict[str, int] = {}
        for index, c in enumerate(self.criteria):
            cid = c.get("id")
            if cid in seen:
                self.add(("criteria", index, "id"), f"id'et '{cid}' bruges også af "
                         f"{self.where.at('criteria', seen[cid], 'id')}")
            seen.setdefault(cid, index)

    def canonical_groups(self) -> None:
        groups: dict[str, list[int]] = defaultdict(list)
        for index, c in enumerate(self.criteria):
            groups[c.get("canonical_id")].append(index)
        for canonical_id, members in groups.items():
            if len(members) < 2 or "rule" in self.readings.get(canonical_id, {}):
                continue  # a reading's rule decides for the whole group
            rules = [_comparable(self.criteria[i], self.by_id) for i in members]
            for index, rule in zip(members[1:], rules[1:], strict=True):
                if rule != rules[0]:
                    self.add(("criteria", index, "target_rule", "kind"),
                             f"samme fælles id '{canonical_id}' som {self.where.at('criteria', members[0], 'id')}, "
                             "men en anden regel; giv dem hver sit fælles id, eller fastlæg reglen i en læsning")

    def readings_(self) -> None:
        canonical = {c.get("canonical_id"): c for c in self.criteria}
        for canonical_id, reading in self.readings.items():
            at = ("readings", canonical_id)
            c = canonical.get(canonical_id)
            if c is None:
                self.add(at, f"læsningen gælder '{canonical_id}', som intet kriterium har som fælles id; den bruges "
                         "ikke", WARNING)
                continue
            if reading.get("combine") is not None and reading["combine"] not in self.vocab.combine:
                self.unknown((*at, "combine"), "sammenlægning", reading["combine"], self.vocab.combine)
            threshold = reading.get("threshold_area")
            if threshold is not None and threshold not in (*self.areas, *self.vocab.comparators):
                self.unknown((*at, "threshold_area"), "tærskelområde", threshold, self.vocab.comparators)
            for key in ("due_period", "baseline_period"):
                self.period_in_plan((*at, key), reading.get(key), c,
                                    "Fristen" if key == "due_period" else "Baselineperioden",
                                    before_ok=key == "baseline_period")
            self.indicator(at, c, reading)
            self.needs_reading(at, c, reading)

    def indicator(self, at: tuple[Any, ...], c: dict[str, Any], reading: dict[str, Any]) -> None:
        indicator = reading.get("indicator") or {}
        source, code = indicator.get("source_system"), indicator.get("indicator")
        if code is None:
            return
        if source not in self.vocab.indicators:
            self.unknown((*at, "indicator", "source_system"), "kildesystem", source, self.vocab.source_systems)
        elif code not in self.vocab.indicators[source]:
            others = self.vocab.sources_of(code)
            if others:
                self.add((*at, "indicator", "indicator"), f"indikatoren '{code}' leveres af {', '.join(others)}, "
                         f"ikke af {source}")
            else:
                self.unknown((*at, "indicator", "indicator"), f"indikator for {source}:", code,
                             self.vocab.indicators[source] or ("(ingen)",))

    def needs_reading(self, at: tuple[Any, ...], c: dict[str, Any], reading: dict[str, Any]) -> None:
        at = at if at[0] == "criteria" else (*at, "combine")
        source = (reading.get("indicator") or {}).get("source_system") or c.get("source_system")
        figures = self.vocab.area_figures.get(source)
        if c.get("granularity") in ("combined", "both") and figures in FIGURE_DA \
                and reading.get("combine") not in MEAN_READINGS:
            self.add(at, f"kriteriet '{c.get('id')}' vurderes for områderne samlet, men {source} "
                     f"leverer {FIGURE_DA[figures]}: det samlede tal får status needs_reading, indtil bestyrelsen "
                     "vælger en læsning (Sammenlægning mean eller weighted_mean)", WARNING)

    def run(self) -> list[Problem]:
        self.programme()
        for index, c in enumerate(self.criteria):
            self.criterion(index, c)
            if c.get("canonical_id") not in self.readings:
                self.needs_reading(("criteria", index, "granularity"), c, {})
        self.duplicates()
        self.canonical_groups()
        self.readings_()
        return self.problems


def _comparable(c: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> Any:
    from pipelines.catalog.targets import resolve_rule

    rule = resolve_rule(c, by_id)
    return {k: v for k, v in rule.items() if k in ("kind", "op", "value", "value_upper", "pct", "direction")}


def check_catalog(document: dict[str, Any], readings: dict[str, dict[str, Any]], where: Locations,
                  vocab: Vocabulary, area_plans: dict[str, list[str]] | None = None) -> list[Problem]:
    if not isinstance(document.get("criteria"), list):
        return [Problem(where.at("criteria"), "'criteria:' mangler eller er ikke en liste")]
    return _Checker(document, readings, where, vocab, area_plans).run()


# --- files ---------------------------------------------------------------------------------------------

def _yaml_document(path: Path, top_key: str) -> tuple[dict[str, Any] | None, Problem | None]:
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except OSError:
        return None, Problem(str(path), "filen kan ikke læses")
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path.name}, linje {mark.line + 1}" if mark is not None else path.name
        return None, Problem(where, "ikke gyldig YAML (UTF-8)")
    if not isinstance(document, dict) or top_key not in document:
        return None, Problem(path.name, f"nøglen '{top_key}:' mangler øverst i filen")
    return document, None


def check_yaml(catalog_file: Path, vocab: Vocabulary, readings_file: Path | None = None) -> list[Problem]:
    """criteria.yaml (and readings.yaml beside it, when there is one)."""
    document, problem = _yaml_document(catalog_file, "criteria")
    if problem:
        return [problem]
    readings_file = readings_file or catalog_file.with_name("readings.yaml")
    readings: dict[str, dict[str, Any]] = {}
    if readings_file.is_file():
        readings_document, problem = _yaml_document(readings_file, "readings")
        if problem:
            return [problem]
        readings = readings_document["readings"] or {}
    where = Locations(catalog_file.name, readings_file=readings_file.name)
    return check_catalog(document, readings, where, vocab)


def sorted_problems(problems: list[Problem]) -> Iterator[Problem]:
    yield from sorted(problems, key=lambda p: p.severity != ERROR)
