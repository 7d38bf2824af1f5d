"""Free text from deliveries is untrusted (docs/privacy.d/20-cpr-and-free-text.md).

A CPR number in any written form in a verdict's `Begrundelse` or `Kilde` rejects the file, naming file, row
and column, never the value. What is published of a verdict is the verdict, its source and its file: the
delivered sentence (which may name a resident and an address) stays in the internal file.
"""

from __future__ import annotations

import re

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.privacy.detector import ascii_form, contains_cpr
from pipelines.sample._assessments import REASONS
from tests import parser_helpers
from tests.test_cpr_detector import PREFIXES, SEPARATORS

HEADER = "År;Område;Kriterie_id;Vurdering;Begrundelse;Kilde\n"
CRITERION = "act_tryghedsvandring_resident_influence"
SOURCES = ("samarbejdsudvalg_evaluation", "qualitative_interviews", "lbf_central")
PUBLISHED_VERDICT = re.compile(r"^(Opfyldt|Delvist opfyldt|Ikke opfyldt|Ikke vurderet) \((samarbejdsudvalgets "
                               r"evaluering|kvalitative interviews|Landsbyggefondens vurdering), [a-z_]+_\d{4}_\d{8}"
                               r"\.(csv|xlsx); begrundelsen publiceres ikke\)$")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.sampled_from(SOURCES), column=st.sampled_from(["Begrundelse", "Kilde"]),
       prefix=st.sampled_from(PREFIXES), separator=st.sampled_from(SEPARATORS))
def test_a_cpr_in_free_text_rejects_the_file_without_quoting_it(tmp_path_factory, parse_context, source: str,
                                                               column: str, prefix: str, separator: str) -> None:
    cpr = f"{prefix}010187{separator}1467"
    reason, kilde = (f"Jens Hansen {cpr} deltog.", "SU") if column == "Begrundelse" else ("Godt.", f"Samtale {cpr}")
    text = HEADER + f"2018;Motalavej;{CRITERION};opfyldt;{reason};{kilde}\n"
    path = tmp_path_factory.mktemp("su") / f"{source}_2018_20190115.csv"
    path.write_text(text, encoding="utf-8")
    rejection = parser_helpers.rejection(source, path, parse_context)
    assert isinstance(rejection, DeliveryRejected)
    assert (rejection.row, rejection.column) == (2, column)
    assert not contains_cpr(rejection.message) and "1467" not in ascii_form(rejection.message)
    assert "Jens" not in rejection.message


def test_published_verdicts_carry_no_delivered_text(published_demo) -> None:
    with duckdb.connect(str(published_demo.warehouse), read_only=True) as con:
        reasons = [r for (r,) in con.execute(
            "select distinct status_reason from kpi_status where status = 'qualitative'").fetchall()]
        history = [r for (r,) in con.execute(
            "select distinct status_reason from kpi_status_history where status = 'qualitative'").fetchall()]
        texts = "\n".join(str(v) for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'").fetchall()
            for (v,) in con.execute(f'select distinct "{column}" from "{table}"').fetchall())
    assert len(reasons) > 10
    assert [r for r in reasons + history if not PUBLISHED_VERDICT.match(r)] == []
    delivered = {sentence.split(" i {year}")[0] for sentence in REASONS.values()}  # "Målet er nået", …
    assert [sentence for sentence in delivered if sentence in texts] == []
