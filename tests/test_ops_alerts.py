"""Alerts: the Danish summary beside the warehouse always, an e-mail over SMTP after rejections or a failure.

A real SMTP server (aiosmtpd) on 127.0.0.1 receives the messages. The e-mail of a real (served) run with a
rejected file is checked in test_ops_e2e.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from pipelines.flows.delivery_step import IngestOutcome
from pipelines.flows.nightly import NightlyResult
from pipelines.operate.alerts import alert_after_run
from pipelines.operate.mail_config import MailConfigError, load_smtp_config
from tests.ops_helpers import Inbox, free_port

REJECTION = ("web_analytics_2025_20260115.csv: række 3, kolonne 'sidevisninger': fundet 'mange', "
             "forventet et helt tal")
SMTP_VARIABLES = ("HOST", "PORT", "SENDER", "RECIPIENTS", "STARTTLS", "USERNAME", "PASSWORD", "CAFILE")


@pytest.fixture
def smtp_env(monkeypatch, tmp_path):
    """No SMTP settings from the machine: an absent config file and no KPI_SMTP_* variables."""
    monkeypatch.setenv("KPI_CONFIG_FILE", str(tmp_path / "absent.toml"))
    for name in SMTP_VARIABLES:
        monkeypatch.delenv(f"KPI_SMTP_{name}", raising=False)
    return monkeypatch


@pytest.fixture
def smtp_server(smtp_env):
    """A running local SMTP server; KPI_SMTP_* point at it."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_env.setenv("KPI_SMTP_HOST", "127.0.0.1")
    smtp_env.setenv("KPI_SMTP_PORT", str(port))
    smtp_env.setenv("KPI_SMTP_SENDER", "kpi-warehouse@slagelse.example")
    smtp_env.setenv("KPI_SMTP_RECIPIENTS", "analytiker@slagelse.example, sekretariat@slagelse.example")
    yield inbox
    controller.stop()


def result_with(*outcomes: IngestOutcome, failure: str | None = None) -> NightlyResult:
    rejected = any(o.status == "rejected" for o in outcomes)
    outcome = "failed" if failure else "published_with_rejections" if rejected else "published"
    return NightlyResult(outcomes=list(outcomes), failure=failure, published=failure is None, outcome=outcome)


LOADED = IngestOutcome("police_haervaerk_2025_20260214.csv", "police_haervaerk", "loaded", rows=4)
REJECTED = IngestOutcome("web_analytics_2025_20260115.csv", "web_analytics", "rejected", error=REJECTION)


def test_a_rejected_file_is_mailed_and_named_in_the_summary(smtp_server, tmp_path):
    summary = alert_after_run(tmp_path / "kpi.duckdb", result_with(LOADED, REJECTED))
    assert summary == tmp_path / "seneste_koersel.md"
    (message,) = smtp_server.messages
    assert message["Subject"] == "kpi-warehouse: 1 fil(er) afvist ved natkørslen"
    assert smtp_server.envelopes[0].rcpt_tos == ["analytiker@slagelse.example", "sekretariat@slagelse.example"]
    body = message.get_content()
    assert "# Seneste natkørsel: publiceret, filer afvist" in body
    assert f"- `web_analytics_2025_20260115.csv`: {REJECTION}" in body
    assert "Indlæst: 1 filer, dubletter: 0, afvist: 1" in body
    text = summary.read_text(encoding="utf-8")
    assert body.replace("\r\n", "\n").strip() in text
    assert "E-mail sendt" in text and "analytiker@slagelse.example" in text


def test_a_failed_run_is_mailed(smtp_server, tmp_path):
    alert_after_run(tmp_path / "kpi.duckdb", result_with(LOADED, failure="dbt build fejlede: kpi_status"))
    (message,) = smtp_server.messages
    assert message["Subject"].startswith("kpi-warehouse: natkørslen fejlede")
    assert "dbt build fejlede: kpi_status" in message.get_content()
    assert "det tidligere lager står uændret" in message.get_content()


def test_a_clean_run_rewrites_the_summary_and_sends_nothing(smtp_server, tmp_path):
    warehouse = tmp_path / "kpi.duckdb"
    alert_after_run(warehouse, result_with(REJECTED))
    alert_after_run(warehouse, result_with(LOADED))
    assert len(smtp_server.messages) == 1
    text = (tmp_path / "seneste_koersel.md").read_text(encoding="utf-8")
    assert text.startswith("# Seneste natkørsel: publiceret\n")
    assert "web_analytics" not in text and "Ingen e-mail: kørslen gik godt." in text


def test_an_smtp_failure_is_logged_and_noted_but_never_raised(smtp_env, tmp_path, caplog):
    dead_port = free_port()
    smtp_env.setenv("KPI_SMTP_HOST", "127.0.0.1")
    smtp_env.setenv("KPI_SMTP_PORT", str(dead_port))
    smtp_env.setenv("KPI_SMTP_SENDER", "kpi@slagelse.example")
    smtp_env.setenv("KPI_SMTP_RECIPIENTS", "analytiker@slagelse.example")
    with caplog.at_level(logging.WARNING, logger="kpi.alerts"):
        summary = alert_after_run(tmp_path / "kpi.duckdb", result_with(REJECTED))
    text = summary.read_text(encoding="utf-8")
    assert f"E-mail kunne ikke sendes via 127.0.0.1:{dead_port}: ConnectionRefusedError" in text
    assert "web_analytics_2025_20260115.csv" in text
    assert any("alert e-mail" in r.message for r in caplog.records)


def test_without_smtp_settings_only_the_file_is_written(smtp_env, tmp_path):
    summary = alert_after_run(tmp_path / "sub" / "kpi.duckdb", result_with(REJECTED))
    assert "Ingen e-mail: SMTP er ikke sat op" in summary.read_text(encoding="utf-8")


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "smtp.crt", directory / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_starttls_and_login_from_the_config_file(smtp_env, tmp_path):
    import ssl

    from aiosmtpd.smtp import AuthResult

    cert_file, key_file = _self_signed_certificate(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_file, key_file)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"kpi", b"hemmelig"))

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        config = tmp_path / "kpi.toml"
        config.write_text(f"""[smtp]
host = "127.0.0.1"
port = {port}
sender = "kpi@slagelse.example"
recipients = ["analytiker@slagelse.example"]
starttls = true
username = "kpi"
password = "hemmelig"
cafile = "{cert_file}"
""", encoding="utf-8")
        smtp_env.setenv("KPI_CONFIG_FILE", str(config))
        alert_after_run(tmp_path / "kpi.duckdb", result_with(REJECTED))
    finally:
        controller.stop()
    assert logins == [(b"kpi", b"hemmelig")]
    (message,) = inbox.messages
    assert "web_analytics_2025_20260115.csv" in message.get_content()


def test_env_vars_win_over_the_file_and_bad_settings_are_named(tmp_path):
    config = tmp_path / "kpi.toml"
    config.write_text('[smtp]\nhost = "smtp.slagelse.example"\nsender = "a@x.example"\n'
                      'recipients = ["b@x.example"]\nstarttls = true\n', encoding="utf-8")
    settings = load_smtp_config(config, env={"KPI_SMTP_RECIPIENTS": "c@x.example,d@x.example"})
    assert (settings.host, settings.port, settings.starttls) == ("smtp.slagelse.example", 587, True)
    assert settings.recipients == ("c@x.example", "d@x.example")
    assert load_smtp_config(tmp_path / "absent.toml", env={}) is None
    with pytest.raises(MailConfigError, match="uden afsender eller modtagere"):
        load_smtp_config(tmp_path / "absent.toml", env={"KPI_SMTP_HOST": "h", "KPI_SMTP_SENDER": "a@x.example"})
    with pytest.raises(MailConfigError, match="porten skal være et tal"):
        load_smtp_config(config, env={"KPI_SMTP_PORT": "femogtyve"})


def test_a_run_skipped_for_the_lock_keeps_the_last_summary_and_sends_nothing(smtp_server, tmp_path):
    warehouse = tmp_path / "kpi.duckdb"
    alert_after_run(warehouse, result_with(LOADED, REJECTED))
    before = (tmp_path / "seneste_koersel.md").read_text(encoding="utf-8")
    skipped = NightlyResult(outcome="skipped_locked")
    assert alert_after_run(warehouse, skipped) is None
    assert (tmp_path / "seneste_koersel.md").read_text(encoding="utf-8") == before
    assert len(smtp_server.messages) == 1
