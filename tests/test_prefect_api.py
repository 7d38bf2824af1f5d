"""`answer_or_why` (pipelines/operate/prefect_api.py): what protects the fleet's pollers (tests and bench) from a
Prefect server on SQLite that stalls under many runs: a read past the timeout or a 5xx is a reason, not an
exception, and the poller's own deadline decides. Reproduce: `pytest tests/test_prefect_api.py`."""

from __future__ import annotations

import httpx

from pipelines.operate.prefect_api import answer_or_why


def _server(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/stall"):
        raise httpx.ReadTimeout("timed out", request=request)
    if request.url.path.endswith("/busy"):
        return httpx.Response(503, text="database is locked")
    if request.url.path.endswith("/missing"):
        return httpx.Response(404, json={"detail": "Flow run not found"})
    return httpx.Response(200, json=True)


def test_a_stalled_or_failing_server_gives_a_reason_and_an_answer_is_an_answer() -> None:
    with httpx.Client(transport=httpx.MockTransport(_server), base_url="http://prefect/api") as client:
        assert "ReadTimeout" in str(answer_or_why(client, "GET", "/stall"))
        assert answer_or_why(client, "GET", "/busy") == "503 database is locked"
        missing = answer_or_why(client, "GET", "/missing")
        assert isinstance(missing, httpx.Response) and missing.status_code == 404  # a 4xx is an answer
        answered = answer_or_why(client, "POST", "/ok", json={})
        assert isinstance(answered, httpx.Response) and answered.json() is True
