"""Every person-level parser, on a valid row with one cell replaced by anything: a frame or a CPR-free rejection."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.privacy.detector import contains_cpr
from tests.person_helpers import parse_person_file, write_delivery

VALID = {  # source → (file name, header, a valid row)
    "kmd_opera": ("kmd_opera_2016-2025_20260115.csv",
                  "CPR;Vejnavn;Husnr;Postnr;Posttype;Kode;Startdato;Slutdato;Afgangsårsag",
                  "010194-3551;Motalavej;84A;4200;YDELSE;A-dagpenge;29-04-2019;18-08-2020;Selvforsørgelse - job"),
    "uu_registration": ("uu_registration_2018_20190120.csv", "CPR;Vejnavn;Husnr;Postnr;Statusdato;Status;Uddannelse",
                        "0203004234;Ringparken;12;4200;31-12-2018;I uddannelse;EUD Tømrer"),
    "novax": ("novax_2016-2025_20260110.csv", "Barn_CPR;Fødselsdato;Vejnavn;Husnr;Postnr;Besøgstype;Besøgsdato;Status",
              "1201184329;12.01.2018;Motalavej;96;4200;Barselsbesøg;21.01.2018;Gennemført"),
    "school_absence": ("school_absence_2018-19_20190815.csv",
                       "Skoleår;Elev_CPR;Skole;Klassetrin;Vejnavn;Husnr;Postnr;Skoledage;Fravær sygdom;Fravær lovligt;"
                       "Fravær ulovligt", "2018/19;300109-4685;Tårnborg Skole;4;Motalavej;34;4200;200;7,5;2,5;2,5"),
    "school_readiness": ("school_readiness_2018-19_20190301.csv",
                         "Skoleår;Elev_CPR;Klassetrin;Vejnavn;Husnr;Postnr;Vurderingsdato;Vurdering",
                         "2018/19;0505044234;8;Ringparken;7;4200;01-12-2018;Ikke uddannelsesparat"),
}
CELLS = st.one_of(
    st.text(alphabet="0123456789-.,/ ABCaæø", max_size=14),
    st.from_regex(r"\A\d{6}-?\d{4}\Z"),  # another CPR-shaped number in any column
    st.sampled_from(["", "-", "..", "31-02-2019", "010194-3551", "I alt", "Kilde: KMD"]),
)


@pytest.mark.parametrize("source_system", sorted(VALID))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_bad_cell_never_leaks_a_cpr(tmp_path, parse_context, source_system: str, data) -> None:
    file_name, header, row = VALID[source_system]
    cells = row.split(";")
    index = data.draw(st.integers(min_value=0, max_value=len(cells) - 1))
    cells[index] = data.draw(CELLS)
    path = write_delivery(tmp_path, file_name, [header, ";".join(cells)])
    try:
        parsed = parse_person_file(source_system, path, parse_context, validate=False)
    except DeliveryRejected as rejection:
        assert rejection.message.startswith(file_name)
        assert not contains_cpr(rejection.message), rejection.message
    else:
        text = str(parsed.frame.rows()) + " ".join(parsed.warnings)
        assert not contains_cpr(text)
        assert parsed.frame.height <= 1
