"""Live progress of a run on the DirectRunner, shown on a terminal.

Beam's counters are the record of a run, but the in-process runner reports them only at the end;
these process-wide tallies let the CLI show feeds done, stories written and errors while it runs.
On a distributed runner they stay in the workers and the runner's own UI shows the counters.
"""
from __future__ import annotations

import threading
from collections import Counter

_lock = threading.Lock()
_counts: Counter = Counter()
_note = {"text": ""}   # how the run is executed, e.g. "2 worker processes (2 cores, 20 feeds)"


def bump(name: str, n: int = 1) -> None:
    with _lock:
        _counts[name] += n


def set_value(name: str, value: int) -> None:
    with _lock:
        _counts[name] = value


def set_note(text: str) -> None:
    _note["text"] = text


def note() -> str:
    return _note["text"]


def snapshot() -> dict:
    with _lock:
        return dict(_counts)


def reset() -> None:
    with _lock:
        _counts.clear()
        _note["text"] = ""


def render(counts: dict, how: str = "") -> str:
    """The status line: what was read (feeds, or a backfill's archive files and records), the
    stories written and the errors."""
    if "warc_records" in counts or "warc_files" in counts:
        read = (f"archives {counts.get('warc_files', 0)} read · records "
                f"{counts.get('warc_records', 0)}")
    else:
        read = f"feeds {counts.get('feeds_done', 0)}/{counts.get('feeds_total', 0)}"
    return (f"{how + ' · ' if how else ''}{read} · "
            f"stories written {counts.get('stories_written', 0)} · "
            f"errors {counts.get('errors', 0)}")


class Ticker:
    """Redraws one status line on `stream` every `interval` seconds while the block runs (TTY only)."""

    def __init__(self, stream, interval: float = 0.5):
        self.stream = stream
        self.interval = interval
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        if getattr(self.stream, "isatty", lambda: False)():
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            self.stream.write("\r" + render(snapshot(), note()) + "\033[K")
            self.stream.flush()

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread:
            self._thread.join()
            self.stream.write("\r\033[K")
            self.stream.flush()
