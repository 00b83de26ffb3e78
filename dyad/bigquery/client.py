"""BigQuery clients for dyad and for Beam's BigQuery I/O: the real service, or a local emulator.

With BIGQUERY_EMULATOR_HOST set (google-cloud-bigquery's convention, e.g. http://127.0.0.1:9050)
every client dyad uses talks to that emulator with anonymous credentials. Without it, Application
Default Credentials are used as usual and nothing here changes Beam. Neither path ever prompts.

Beam's BigQuery I/O has no endpoint option: its apitools client takes Google's URL from a class
constant, and both its clients find credentials through `google.auth.default()`. `configure_beam()`
redirects those two, and only while the emulator variable is set. Because each Beam worker process
must do the same, this module is also a Beam plugin (`--beam_plugins dyad.bigquery.client`):
workers import it at start-up, and importing it configures Beam.
"""
from __future__ import annotations

import os

import google.auth
from apache_beam.io.gcp.internal.clients.bigquery import BigqueryV2
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

EMULATOR_ENV = "BIGQUERY_EMULATOR_HOST"
PROJECT_ENV = "GOOGLE_CLOUD_PROJECT"
# Beam's clients ask for a default project; an emulator accepts any.
EMULATOR_DEFAULT_PROJECT = "dyad-emulator"

_GOOGLE_BASE_URL = BigqueryV2.BASE_URL
_google_auth_default = google.auth.default


def emulator_host() -> str | None:
    """The emulator's base URL when BIGQUERY_EMULATOR_HOST is set (scheme added if missing)."""
    value = os.environ.get(EMULATOR_ENV, "").strip().rstrip("/")
    if not value:
        return None
    return value if "://" in value else f"http://{value}"


def client(project: str) -> bigquery.Client:
    """A google-cloud-bigquery client for `project`: the emulator's, else one with ADC."""
    host = emulator_host()
    if host:
        return bigquery.Client(project=project, credentials=AnonymousCredentials(),
                               client_options={"api_endpoint": host})
    return bigquery.Client(project=project)


def _default_credentials(*args, **kwargs):
    if emulator_host():
        return AnonymousCredentials(), os.environ.get(PROJECT_ENV) or EMULATOR_DEFAULT_PROJECT
    return _google_auth_default(*args, **kwargs)


def configure_beam() -> None:
    """Point Beam's BigQuery I/O at the emulator when one is set, else leave Google's defaults."""
    host = emulator_host()
    BigqueryV2.BASE_URL = f"{host}/bigquery/v2/" if host else _GOOGLE_BASE_URL
    google.auth.default = _default_credentials


configure_beam()
