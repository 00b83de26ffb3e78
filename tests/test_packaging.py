"""The wheel, installed into a clean virtualenv outside the source tree, runs the batch pipeline with
worker processes (DoFns pickled and shipped as on a distributed runner), listens on loopback only,
and writes the same rows as the in-process run."""
import datetime as dt
import os
import re
import subprocess
import sys
import time

import duckdb
import pytest

from dyad.pipelines import batch
from dyad.schemas import STORIES
from tests.conftest import REPO

pytestmark = pytest.mark.e2e

# Differ between two runs by nature.
PER_RUN = {"run_id", "ingested_at", "fetched_at"}
LOOPBACK = re.compile(r"^(127\.[0-9.]+|\[::1\]|\[::ffff:127\.[0-9.]+\]):\d+$")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """dyad's wheel in a fresh virtualenv; returns its `dyad` command."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(folder / "dist"), REPO], check=True, timeout=600)
    wheel = next((folder / "dist").glob("dyad-*.whl"))
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True, timeout=600)
    subprocess.run(pip + [str(wheel)], check=True, timeout=1200)
    return str(venv / "bin" / "dyad")


def descendants(pid: int) -> set[int]:
    children = {}
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                with open(f"/proc/{stat}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, set()).add(int(stat))
    found, todo = {pid}, [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def listening(pids: set[int]) -> list[str]:
    """Local addresses that `pids` listen on, from `ss -ltnp`."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    return [line.split()[3] for line in out.splitlines()
            if any(f"pid={pid}," in line for pid in pids)]


def rows(db: str) -> list[dict]:
    con = duckdb.connect(db, read_only=True)
    cursor = con.execute("SELECT * FROM stories ORDER BY story_id")
    names = [d[0] for d in cursor.description]
    out = [dict(zip(names, r)) for r in cursor.fetchall()]
    con.close()
    return [{k: (v.astimezone(dt.timezone.utc) if isinstance(v, dt.datetime) else v)
             for k, v in row.items() if k not in PER_RUN} for row in out]


def test_wheel_runs_with_worker_processes_like_the_in_process_run(installed, sample_sites,
                                                                    tmp_path):
    feed_list = sample_sites.write_feed_list(str(tmp_path / "feeds.yaml"))
    in_process = str(tmp_path / "in-process.duckdb")
    batch.run(["--feeds", feed_list, "--warehouse", f"duckdb:{in_process}",
               "--allow-network", "127.0.0.1/32"])
    workers = str(tmp_path / "workers.duckdb")
    run = subprocess.Popen(
        [installed, "ingest", "--feeds", feed_list, "--warehouse", f"duckdb:{workers}",
         "--allow-network", "127.0.0.1/32", "--direct_running_mode=multi_processing",
         "--direct_num_workers=2"],
        cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    seen = set()
    while run.poll() is None:
        seen.update(listening(descendants(run.pid)))
        time.sleep(0.2)
    out, err = run.communicate()
    assert run.returncode == 0, err
    assert "stories written: 44" in out
    assert seen, "the run's worker servers were never seen listening"
    assert [address for address in seen if not LOOPBACK.match(address)] == []
    where = subprocess.run([os.path.join(os.path.dirname(installed), "python"), "-c",
                            "import dyad; print(dyad.__file__)"], cwd=str(tmp_path),
                           capture_output=True, text=True, check=True).stdout
    assert "site-packages" in where and not where.startswith(REPO)  # the wheel, not the tree
    expected, got = rows(in_process), rows(workers)
    assert len(got) == 44 and got == expected
    assert set(expected[0]) == set(STORIES.column_names) - PER_RUN
