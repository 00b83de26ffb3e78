"""Start and stop a local BigQuery emulator (bqemulator) on loopback: for tests and `make bq-emulator`.

bqemulator lives in its own virtualenv (it needs DuckDB 1.5.5, dyad uses 2.0). Before its first
start, the spatial extension shipped in that virtualenv is installed into a private HOME, because
otherwise the emulator tries to download it. Usage as a command:

    python -m dyad.bigquery.emulator --executable .venv-bqemulator/bin/bqemulator --rest-port 9050
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
# Run by the emulator's own Python: install the spatial extension its wheel ships, offline.
_INSTALL_SPATIAL = """
import glob, os, duckdb, duckdb_extension_spatial as pkg
found = glob.glob(os.path.join(os.path.dirname(pkg.__file__), "extensions", "*",
                               "spatial.duckdb_extension"))
if not found:
    raise SystemExit("the duckdb-extension-spatial wheel holds no spatial.duckdb_extension")
duckdb.sql(f"INSTALL '{found[0]}'")
"""


class EmulatorError(RuntimeError):
    """The emulator could not be started; the message says why (with its log's last lines)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Emulator:
    """A bqemulator process on loopback, as a context manager; `url` is its REST endpoint."""

    def __init__(self, executable: str, project: str = "dyad-test", rest_port: int = 0,
                 grpc_port: int = 0, home: str | None = None, startup_timeout: float = 90.0):
        self.executable = os.path.abspath(executable)
        self.project = project
        self.rest_port = rest_port or free_port()
        self.grpc_port = grpc_port or free_port()
        self._home = home
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.log_path = ""

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.rest_port}"

    def start(self) -> "Emulator":
        if not os.path.isfile(self.executable):
            raise EmulatorError(f"{self.executable} not found: run `make bq-emulator-install`")
        if self._home is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="dyad-bqemulator-")
            self._home = self._tmp.name
        env = {**os.environ, "HOME": self._home}
        python = os.path.join(os.path.dirname(self.executable), "python")
        done = subprocess.run([python, "-c", _INSTALL_SPATIAL], env=env, capture_output=True,
                              text=True, timeout=120)
        if done.returncode:
            raise EmulatorError(f"installing DuckDB's spatial extension failed: {done.stderr[-500:]}")
        self.log_path = os.path.join(self._home, "bqemulator.log")
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                [self.executable, "start", "--rest-host", HOST, "--rest-port", str(self.rest_port),
                 "--grpc-host", HOST, "--grpc-port", str(self.grpc_port),
                 "--project", self.project, "--log-level", "warning"],
                env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        probe = f"{self.url}/bigquery/v2/projects/{self.project}/datasets"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmulatorError(f"bqemulator exited with {self.process.returncode}: "
                                    f"{self._log_tail()}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise EmulatorError(f"bqemulator did not answer on {self.url} within "
                            f"{self.startup_timeout:.0f} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-1500:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a local BigQuery emulator until Ctrl-C.")
    parser.add_argument("--executable", default=".venv-bqemulator/bin/bqemulator",
                        help="bqemulator in its own virtualenv (default .venv-bqemulator/bin/...)")
    parser.add_argument("--project", default="dyad-local", help="Default project (dyad-local).")
    parser.add_argument("--rest-port", type=int, default=9050, help="REST port (default 9050).")
    parser.add_argument("--grpc-port", type=int, default=9060, help="gRPC port (default 9060).")
    parser.add_argument("--home", default=os.path.abspath(".bqemulator-home"),
                        help="HOME for the emulator's DuckDB extensions (default .bqemulator-home).")
    args = parser.parse_args(argv)
    os.makedirs(args.home, exist_ok=True)
    emulator = Emulator(args.executable, args.project, args.rest_port, args.grpc_port, args.home)
    try:
        emulator.start()
    except EmulatorError as exc:
        print(f"dyad.bigquery.emulator: {exc}", file=sys.stderr)
        return 1
    print(f"BigQuery emulator on {emulator.url} (project {args.project}); in another shell:\n"
          f"  export BIGQUERY_EMULATOR_HOST={emulator.url}\n"
          f"  .venv/bin/dyad ingest --feeds FEEDS --warehouse bigquery:{args.project}.news\n"
          "Ctrl-C stops it (its data lives in memory and goes with it).", flush=True)
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        signal.sigwait(stop_signals)
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
