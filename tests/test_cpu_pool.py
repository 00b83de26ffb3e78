"""dyad.transforms.cpu_pool: stage work in forked processes, the same as inline, and what a bug or
a dead process becomes."""
import os
import signal
import subprocess
import sys
import time

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP

from dyad.transforms import cpu_pool
from dyad.transforms.cpu_pool import PooledFn
from dyad.transforms.dead_letters import error_output, run_stage

CHILD_MARK = {}


def _mark_child():
    CHILD_MARK["in_pool"] = True


def square(element: dict, run_id: str) -> list:
    """The test work: the square, which process did it, and an error row for odd numbers."""
    if element["n"] == 13:
        raise ValueError("thirteen")
    if element["n"] == 99:
        os._exit(3)  # a pool process that dies
    out = [{"n": element["n"] ** 2, "pooled": CHILD_MARK.get("in_pool", False), "pid": os.getpid()}]
    if element["n"] % 2:
        out.insert(0, error_output({"error_type": "odd", "url": element["url"], "run_id": run_id}))
    return out


class SquareFn(PooledFn):
    stage = "square"
    work = square

    def work_args(self):
        return (self.run_id,)


@pytest.fixture
def pool():
    assert cpu_pool.start(2, _mark_child)
    yield
    cpu_pool.stop()


def test_inline_without_a_pool():
    with TestPipeline() as p:
        main, errors = run_stage(p | beam.Create([{"n": n, "url": f"u{n}"} for n in (2, 3, 13)]),
                                 "Square", SquareFn("r1"), "square", "r1")
        assert_that(main | beam.Map(lambda r: (r["n"], r["pooled"])), equal_to([(4, False), (9, False)]))
        assert_that(errors | beam.Flatten() | beam.Map(lambda r: (r["url"], r["error_type"])),
                    equal_to([("u3", "odd"), ("u13", "ValueError")]), label="Errors")


def test_pooled_work_matches_inline_and_runs_in_the_pool(pool):
    numbers = [n for n in range(60) if n != 13] + [13]
    with TestPipeline() as p:
        main, errors = run_stage(p | beam.Create([{"n": n, "url": f"u{n}"} for n in numbers]),
                                 "Square", SquareFn("r1"), "square", "r1")
        assert_that(main | beam.Map(lambda r: (r["n"], r["pooled"], r["pid"] != os.getpid())),
                    equal_to([(n * n, True, True) for n in numbers if n != 13]))
        expected = [(f"u{n}", "odd") for n in numbers if n % 2 and n != 13] + [("u13", "ValueError")]
        assert_that(errors | beam.Flatten() | beam.Map(lambda r: (r["url"], r["error_type"])),
                    equal_to(expected), label="Errors")


def test_a_dead_pool_process_fails_its_elements_and_the_rest_go_on_inline(pool):
    numbers = [99] + list(range(0, 200, 2))

    def check(outcomes):
        # Every element is a square or an error row, none lost; the one that died is among the
        # error rows, and what ran after it ran inline.
        assert len(outcomes) == len(numbers)
        assert ("u99", "BrokenProcessPool") in outcomes
        assert {kind for _url, kind in outcomes} <= {"ok", "BrokenProcessPool"}
        assert sum(kind == "ok" for _url, kind in outcomes) > len(numbers) // 2

    with TestPipeline() as p:
        main, errors = run_stage(p | beam.Create([{"n": n, "url": f"u{n}"} for n in numbers]),
                                 "Square", SquareFn("r1"), "square", "r1")
        rows = main | "Rows" >> beam.Map(lambda r: (f"u{int(r['n'] ** 0.5)}", "ok"))
        failed = errors | "AllErrors" >> beam.Flatten() | "Failed" >> beam.Map(
            lambda r: (r["url"], r["error_type"]))
        assert_that((rows, failed) | "Outcomes" >> beam.Flatten(), check)


def test_at_most_a_bounded_number_of_elements_is_out(pool):
    fn = SquareFn("r1")
    fn.setup()
    fn.start_bundle()
    outputs = 0
    for n in range(0, 200, 2):
        outputs += len(list(fn.process({"n": n, "url": f"u{n}"}, MIN_TIMESTAMP, GlobalWindow())))
        assert len(fn.out) < cpu_pool.IN_FLIGHT_PER_PROCESS * 2
    outputs += len(list(fn.finish_bundle()))
    assert outputs == 100 and not fn.out


LAUNCHER = """
import time
from dyad.transforms import cpu_pool
cpu_pool.start(2, int)
while len(cpu_pool._pool["executor"]._processes) < 2:
    time.sleep(0.05)
print(" ".join(map(str, cpu_pool._pool["executor"]._processes)), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc (Linux)")
def test_the_pool_dies_with_a_launcher_killed_outright():
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdout=subprocess.PIPE, text=True)
    try:
        children = [int(pid) for pid in launcher.stdout.readline().split()]
        assert len(children) == 2 and all(_alive(pid) for pid in children)
        launcher.send_signal(signal.SIGKILL)
        launcher.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in children)
    finally:
        launcher.kill()
        launcher.stdout.close()


def test_no_pool_where_none_is_asked_for():
    assert not cpu_pool.start(0, _mark_child)
    assert cpu_pool.size() == 0
