"""The dashboard's web server: one page, `/`, its filters in the query string, served on loopback.

`dyad dashboard --warehouse duckdb:PATH|bigquery:PROJECT.DATASET [--host 127.0.0.1] [--port 8050]`
"""
from __future__ import annotations

import argparse
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from dyad.dashboard.data import Filters, Warehouse
from dyad.dashboard.page import render

log = logging.getLogger(__name__)


def open_warehouse(spec: str) -> Warehouse:
    """duckdb:PATH or bigquery:PROJECT.DATASET → a Warehouse; ValueError says what is wrong."""
    from dyad.options import OptionsError, parse_warehouse
    try:
        kind, target = parse_warehouse(spec)
    except OptionsError as exc:
        raise ValueError(str(exc)) from None
    if kind == "duckdb":
        return _duckdb(target)
    return _bigquery(target)


def _duckdb(path: str) -> Warehouse:
    import os

    from dyad.transforms.sinks.duckdb import connect
    from dyad.transforms.sinks.summary import duckdb_parameters
    if not os.path.exists(path):
        raise ValueError(f"{path}: no such DuckDB file (run `make run` or `dyad ingest` first)")

    def query(sql: str, params: dict) -> list[dict]:
        con = connect(path, read_only=True, wait=30)  # a stream may be writing a batch
        try:
            cursor = con.execute(duckdb_parameters(sql), params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            con.close()

    return Warehouse(query, lambda name: f'"{name}"')


def _bigquery(target: str) -> Warehouse:
    from dyad.bigquery import client as bigquery_client
    from dyad.transforms.sinks.bigquery_tables import Dataset, query_parameters
    dataset = Dataset.parse(target)
    client = bigquery_client.client(dataset.project)

    def query(sql: str, params: dict) -> list[dict]:
        job = client.query(sql, job_config=query_parameters(**params))
        return [dict(row.items()) for row in job.result()]

    return Warehouse(query, dataset.sql)


def handler_for(warehouse: Warehouse):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            if url.path != "/":
                self.send_error(404)
                return
            try:
                body = render(warehouse, Filters.from_query(parse_qs(url.query))).encode()
                status = 200
            except Exception as exc:  # a page must say what failed, not drop the connection
                log.exception("dashboard page failed")
                body = f"<p>The warehouse could not be read: {type(exc).__name__}</p>".encode()
                status = 503
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            log.info(fmt, *args)

    return Handler


def serve(warehouse: Warehouse, host: str, port: int) -> ThreadingHTTPServer:
    """A started-when-served server bound to host:port (port 0: any free port)."""
    return ThreadingHTTPServer((host, port), handler_for(warehouse))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dyad dashboard",
                                     description="A web dashboard over the warehouse.")
    parser.add_argument("--warehouse", default="duckdb:data/dyad.duckdb",
                        help="duckdb:PATH or bigquery:PROJECT.DATASET (default "
                             "duckdb:data/dyad.duckdb).")
    parser.add_argument("--host", default="127.0.0.1",
                        help="Address to listen on (default 127.0.0.1: this machine only).")
    parser.add_argument("--port", type=int, default=8050, help="Port (default 8050).")
    args = parser.parse_args(argv)
    try:
        warehouse = open_warehouse(args.warehouse)
        server = serve(warehouse, args.host, args.port)
    except (ValueError, OSError) as exc:
        print(f"dyad dashboard: {exc}", flush=True)
        return 2
    print(f"dashboard on http://{args.host}:{server.server_address[1]}/ (Ctrl-C stops it)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
