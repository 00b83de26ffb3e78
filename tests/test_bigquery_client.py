"""Which endpoint and credentials dyad's and Beam's BigQuery clients use."""
import google.auth
import pytest
from apache_beam.io.gcp.internal.clients.bigquery import BigqueryV2
from google.auth.credentials import AnonymousCredentials

from dyad.bigquery import client as bigquery_client


@pytest.fixture
def restore_beam():
    yield
    bigquery_client.configure_beam()  # back to what the session's environment says


@pytest.mark.parametrize("value, url", [
    ("http://127.0.0.1:9050", "http://127.0.0.1:9050"),
    ("127.0.0.1:9050/", "http://127.0.0.1:9050"),
    ("", None),
])
def test_emulator_host_from_the_environment(monkeypatch, value, url):
    monkeypatch.setenv(bigquery_client.EMULATOR_ENV, value)
    assert bigquery_client.emulator_host() == url


def test_with_an_emulator_every_client_goes_there_anonymously(monkeypatch, restore_beam):
    monkeypatch.setenv(bigquery_client.EMULATOR_ENV, "http://127.0.0.1:9050")
    bigquery_client.configure_beam()
    assert BigqueryV2.BASE_URL == "http://127.0.0.1:9050/bigquery/v2/"
    assert BigqueryV2(get_credentials=False).url == "http://127.0.0.1:9050/bigquery/v2/"
    credentials, project = google.auth.default()
    assert isinstance(credentials, AnonymousCredentials) and project
    client = bigquery_client.client("p-roject")
    assert client._connection.API_BASE_URL == "http://127.0.0.1:9050"
    assert isinstance(client._credentials, AnonymousCredentials)


def test_without_an_emulator_google_defaults_stay(monkeypatch, restore_beam):
    monkeypatch.delenv(bigquery_client.EMULATOR_ENV, raising=False)
    bigquery_client.configure_beam()
    assert BigqueryV2.BASE_URL == "https://bigquery.googleapis.com/bigquery/v2/"
    # Application Default Credentials are asked for as usual (here: none are set up, and the
    # metadata-server probe is switched off so that nothing leaves the machine).
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json")
    with pytest.raises(google.auth.exceptions.DefaultCredentialsError):
        google.auth.default()
