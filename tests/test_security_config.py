"""Hardening settings are rules checked by a test, not by memory (.streamlit/config.toml)."""
import tomllib
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


@pytest.fixture(scope="module")
def server():
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]


def test_xsrf_protection_on(server):
    assert server.get("enableXsrfProtection") is True


def test_cors_protection_on(server):
    """enableCORS=true is Streamlit's CORS *protection* (no cross-origin requests): "CORS off"."""
    assert server.get("enableCORS") is True


def test_upload_limit_set_and_small(server):
    assert isinstance(server.get("maxUploadSize"), int) and 1 <= server["maxUploadSize"] <= 200


def test_no_dev_conveniences_in_production_config(server):
    assert server.get("runOnSave", False) is False
    assert server.get("headless") is True
    assert "HALFSKY_AUTH" not in CONFIG.read_text(encoding="utf-8")


def test_secrets_are_gitignored():
    ignored = (CONFIG.parents[1] / ".gitignore").read_text(encoding="utf-8").split()
    assert ".streamlit/secrets.toml" in ignored


def test_no_error_details_in_the_browser():
    """Tracebacks (SQL, server paths) stay in the server log: Streamlit shows no exception text,
    trace or type. The value must be one the installed Streamlit accepts, or it would be ignored."""
    from streamlit import config

    client = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["client"]
    assert client.get("showErrorDetails") == "none"
    assert client["showErrorDetails"] in {o.value for o in config.ShowErrorDetailsConfigOptions}
