"""Run a source's GX suite on its parsed frame; a failure becomes a Danish rejection naming row and column.

GX 1.x cannot validate DuckDB tables (docs/stack_facts.md fact 3), so frames are validated as pandas
DataFrames before loading. GX is imported lazily: it costs ~3 s of CPU (7 s without compiled bytecode, fact 11)
and a run without deliveries never needs it; a run that will validate starts the import early on a spare core
(`preload_in_background`). A suite runs with GX's cheapest result format first and again with the complete one only
when it fails (`first_failure`, fact 3).
"""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.delivery.errors import DeliveryRejected
from pipelines.privacy.detector import contains_cpr, cpr_regex
from pipelines.reference.resolution import COMPARATOR_AREA_KEYS
from pipelines.settings import EXPECTATIONS_DIR, apply_quiet_offline_env

_EXPECTATION_TEXT_DA = {
    "expect_column_values_to_be_in_set": "en af de tilladte værdier",
    "expect_column_values_to_not_be_null": "en udfyldt værdi",
    "expect_column_values_to_be_between": "en værdi mellem {min_value} og {max_value}",
    "expect_column_values_to_not_match_regex": "ingen personoplysninger (CPR-lignende tal)",
    "expect_table_columns_to_match_set": "kolonnerne {column_set}",
    "expect_column_values_to_match_regex": "en værdi på formen {regex}",
    "expect_compound_columns_to_be_unique": "én række pr. {column_list}",
    "expect_column_pair_values_a_to_be_greater_than_b": "{column_A} mindst lige så stor som {column_B}",
}
_BETWEEN_TEXT_DA = {  # (has min_value, has max_value) → wording
    (True, True): _EXPECTATION_TEXT_DA["expect_column_values_to_be_between"],
    (True, False): "en værdi på mindst {min_value}",
    (False, True): "en værdi på højst {max_value}",
    (False, False): "en talværdi",
}
_CPR_EXPECTATION = "expect_column_values_to_not_match_regex"
# In a suite's value_set, "@programme_areas" stands for the areas of the programme being loaded (its
# area_aliases.csv), so one suite serves every programme; the other listed keys stay exactly as written.
PROGRAMME_AREAS = "@programme_areas"


def suite_path(source_system: str) -> Path:
    return EXPECTATIONS_DIR / f"{source_system}.json"


def load_suite_definition(source_system: str) -> dict[str, Any]:
    return json.loads(suite_path(source_system).read_text(encoding="utf-8"))


_context_lock = threading.Lock()
_preload_lock = threading.Lock()
_preload: threading.Thread | None = None


def preload_in_background() -> None:
    """Import GX and build its context on the spare core while Prefect starts (a run that validates saves
    the import, ~3 s of CPU). Idempotent; `_context()` waits for it."""
    global _preload
    with _preload_lock:
        if _preload is None:
            _preload = threading.Thread(target=_context, name="gx-preload", daemon=True)
            _preload.start()


def wait_for_preload(timeout: float = 120) -> None:
    """Let a started preload finish before the interpreter exits (a daemon thread killed mid-import is noisy)."""
    if _preload is not None:
        _preload.join(timeout)


def _context():
    with _context_lock:  # one context, also while the preload is still building it
        return _new_context()


@cache
def _new_context():
    apply_quiet_offline_env()
    import logging

    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    batch = (
        context.data_sources.add_pandas("deliveries")
        .add_dataframe_asset("parsed_delivery")
        .add_batch_definition_whole_dataframe("whole_frame")
    )
    return gx, context, batch


@cache
def _suite(source_system: str):
    """The source's GX suite, built once per process (the CPR expectation with the one detector's regex)."""
    return build_suite(load_suite_definition(source_system))


def build_suite(definition: dict[str, Any]):
    """A GX ExpectationSuite from a suite definition (the JSON of expectations/<table>.json)."""
    gx, _, _ = _context()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    suite = gx.ExpectationSuite(name=definition["name"], meta=definition.get("meta", {}))
    for item in definition["expectations"]:
        kwargs = {k: _area_parameter(v) for k, v in item["kwargs"].items()}
        if item["type"] == _CPR_EXPECTATION:
            kwargs["regex"] = cpr_regex()  # the one detector's shape, whatever the suite file says
        suite.add_expectation(ExpectationConfiguration(type=item["type"], kwargs=kwargs).to_domain_obj())
    return suite


def _area_parameter(value: Any) -> Any:
    """A value_set naming @programme_areas becomes a suite parameter named after the other keys."""
    if isinstance(value, list) and PROGRAMME_AREAS in value:
        return {"$PARAMETER": "__".join(["programme_areas", *(v for v in value if v != PROGRAMME_AREAS)])}
    return value


def _area_parameters(definition: dict[str, Any], programme_areas: list[str]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for item in definition["expectations"]:
        for value in item["kwargs"].values():
            parameter = _area_parameter(value)
            if isinstance(parameter, dict) and parameter is not value:
                others = [v for v in value if v != PROGRAMME_AREAS]
                values[parameter["$PARAMETER"]] = [*programme_areas, *others]
    return values


@cache
def _project_areas() -> tuple[str, ...]:
    """The project's own programme areas: the default when a caller names none."""
    from pipelines.delivery.aliases import AreaResolver
    from pipelines.settings import DEFAULT_SOURCES, REFERENCE_DIR_NAME

    keys = AreaResolver.from_reference(DEFAULT_SOURCES / REFERENCE_DIR_NAME).area_keys
    return tuple(k for k in keys if k not in COMPARATOR_AREA_KEYS)


def _expected_text(expectation_type: str, kwargs: dict[str, Any], parameters: dict[str, Any]) -> str:
    resolved = {k: parameters.get(v["$PARAMETER"]) if isinstance(v, dict) and "$PARAMETER" in v else v
                for k, v in kwargs.items()}
    template = _EXPECTATION_TEXT_DA.get(expectation_type, expectation_type)
    if expectation_type == "expect_column_values_to_be_between":  # a range may be open at either end
        low, high = resolved.get("min_value"), resolved.get("max_value")
        template = _BETWEEN_TEXT_DA[(low is not None, high is not None)]
    text = template.format(**{k: v for k, v in resolved.items()}) if "{" in template else template
    if expectation_type == "expect_column_values_to_be_in_set":
        values = resolved.get("value_set") or []
        text += ": " + ", ".join(map(str, sorted(values, key=str)))
    return text


def validate_frame(frame: pl.DataFrame, source_system: str, file_name: str,
                   parameters: dict[str, Any] | None = None, programme_areas: list[str] | None = None) -> None:
    """Raise `DeliveryRejected` for the first failed expectation, naming the source row and column."""
    if not suite_path(source_system).is_file():
        raise FileNotFoundError(f"no GX suite for {source_system} at {suite_path(source_system)}")
    areas = list(programme_areas) if programme_areas is not None else list(_project_areas())
    parameters = {**_area_parameters(load_suite_definition(source_system), areas), **(parameters or {})}
    rejection = first_failure(frame, _suite(source_system), file_name, parameters)
    if rejection is not None:
        raise rejection


def first_failure(frame: pl.DataFrame, suite, file_name: str, parameters: dict[str, Any],
                  *, cheap_first: bool = True) -> DeliveryRejected | None:
    """The rejection for the suite's first failed expectation on `frame`, or None when every one holds.

    A GX run's cost is nearly all fixed per expectation, and most of it goes to the result format: COMPLETE
    computes the unexpected values and their row indexes of every expectation, also of those that hold. So the
    suite runs first with BOOLEAN_ONLY (the same metrics decide success), and only a frame that fails runs it
    again with COMPLETE to name the first failing row and value; `cheap_first=False` is that complete run alone
    (tests hold both equal). `Batch.validate` keeps no result in the context's results store (a
    ValidationDefinition run would keep every result, unexpected values included, for the life of the process).
    """
    pandas_frame = frame.to_pandas()
    batch = frame_batch(pandas_frame)
    if cheap_first and suite_result(batch, suite, parameters, "BOOLEAN_ONLY").success:
        return None
    return _rejection(suite_result(batch, suite, parameters, "COMPLETE"), pandas_frame, file_name, parameters)


def suite_result(batch, suite, parameters: dict[str, Any], result_format: str):
    """GX's ExpectationSuiteValidationResult of `suite` on `batch` (a batch of the parsed-delivery asset)."""
    return batch.validate(suite, result_format={"result_format": result_format}, expectation_parameters=parameters)


def frame_batch(pandas_frame: Any):
    """A GX batch of a pandas frame, for `suite_result`."""
    _, _, batch_definition = _context()
    return batch_definition.get_batch(batch_parameters={"dataframe": pandas_frame})


def _rejection(result: Any, pandas_frame: Any, file_name: str, parameters: dict[str, Any]
               ) -> DeliveryRejected | None:
    """The rejection naming the first failed expectation of a COMPLETE result (row, column, value); None if none."""
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        kwargs = dict(config.kwargs)
        column = kwargs.get("column")
        details = item.result or {}
        indexes = details.get("unexpected_index_list") or details.get("partial_unexpected_index_list") or []
        row = None
        if indexes and "source_row" in pandas_frame.columns:
            first = indexes[0]
            index = first.get("index") if isinstance(first, dict) else first
            row = int(pandas_frame["source_row"].iloc[int(index)]) if index is not None else None
        if config.type == _CPR_EXPECTATION:
            found = "et CPR-lignende tal (personoplysning) i en aggregeret kilde"
        elif item.exception_info and item.exception_info.get("raised_exception"):
            found = "valideringen kunne ikke gennemføres"
        else:
            values = details.get("partial_unexpected_list") or details.get("observed_value")
            shown = values[0] if isinstance(values, list) and values else values
            if shown is None:
                found = "ugyldige værdier"
            elif contains_cpr(str(shown), numeric=True):  # a value failing another check first is never quoted
                found = "et CPR-lignende tal (personoplysning)"
            else:
                found = f"værdien '{shown}'"
        return DeliveryRejected(file_name, found, _expected_text(config.type, kwargs, parameters),
                                row=row, column=column)
    return None
