"""`answer_or_why` and `RunsApi` (pipelines/operate/prefect_api.py): what protects the fleet's pollers (tests
and bench) from a Prefect server on SQLite that stalls under many runs: a read past the timeout or a 5xx is a
reason, not an exception, and the poller's own deadline or tries decide. Reproduce:
`pytest tests/test_prefect_api.py`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from pipelines.operate.prefect_api import TERMINAL_STATES, RunsApi, ServerDidNotAnswer, answer_or_why, is_healthy


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


class _StallingServer:
    """A server that stalls, then is busy, then answers: the fleet's SQLite-backed server under load."""

    def __init__(self, bad_answers: int) -> None:
        self.bad_answers = bad_answers
        self.asked = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked += 1
        if self.asked <= self.bad_answers:
            if self.asked % 2:
                raise httpx.ReadTimeout("timed out", request=request)
            return httpx.Response(503, text="database is locked")
        path = request.url.path
        if path.endswith("/deployments/filter"):
            return httpx.Response(200, json=[{"name": "kpi-nightly-alfa", "id": "d-1"}])
        if path.endswith("/create_flow_run"):
            return httpx.Response(201, json={"id": "r-1"})
        if path.endswith("/flow_runs/r-1"):
            return httpx.Response(200, json={"id": "r-1", "state": {"type": "COMPLETED"}})
        return httpx.Response(404, json={"detail": "not found"})


def _api(server: _StallingServer) -> RunsApi:
    api = RunsApi("http://prefect/api", pause=0)
    api.client = httpx.Client(transport=httpx.MockTransport(server), base_url="http://prefect/api")
    return api


def test_the_poller_waits_out_a_stalled_server_and_then_has_its_answers() -> None:
    server = _StallingServer(bad_answers=3)
    api = _api(server)
    assert api.state("r-1") is None  # no answer yet: "not yet", never an exception
    assert api.deployments(tries=3) == {"kpi-nightly-alfa": {"name": "kpi-nightly-alfa", "id": "d-1"}}
    assert api.start_run("d-1", tries=1) == "r-1"
    assert api.finished("r-1") == "COMPLETED" and api.run("r-1") == {"id": "r-1", "state": {"type": "COMPLETED"}}
    assert server.asked == 7  # one stall for the state, two bad answers before the deployments, then one each


def test_the_poller_gives_up_after_its_tries_and_says_what_the_server_said() -> None:
    api = _api(_StallingServer(bad_answers=100))
    with pytest.raises(ServerDidNotAnswer) as failed:
        api.start_run("d-1", tries=4)
    assert "no flow run was created" in str(failed.value) and "503 database is locked" in str(failed.value)
    assert "ReadTimeout" in str(failed.value)
    with pytest.raises(ServerDidNotAnswer, match="the deployments were not listed"):
        api.deployments(tries=2)


def test_a_refused_request_is_an_error_not_a_wait() -> None:
    api = _api(_StallingServer(bad_answers=0))
    with pytest.raises(httpx.HTTPStatusError):
        api.poll("GET", "/nothing-here")
    assert api.finished("r-1") == "COMPLETED"
    assert set(TERMINAL_STATES) == {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


HEALTH_ANSWERS = {"/ok/health": (200, "true"), "/proxy/health": (200, "<html>Bad gateway</html>"),
                  "/busy/health": (503, "database is locked"), "/starting/health": (200, "false")}


class _HealthHandler(BaseHTTPRequestHandler):

    def do_GET(self) -> None:
        status, body = HEALTH_ANSWERS.get(self.path, (404, "{}"))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args) -> None:
        pass


def test_only_a_health_check_answered_true_is_healthy() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HealthHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert is_healthy(f"{base}/ok")
        assert not is_healthy(f"{base}/proxy")  # a 200 that is not JSON: not an exception, not healthy
        assert not is_healthy(f"{base}/busy") and not is_healthy(f"{base}/starting")
    finally:
        server.shutdown()
        server.server_close()
    assert not is_healthy(base + "/ok", timeout=0.5)  # nothing listens any more
