"""CPU-bound stage work in forked processes: the DoFn base the parsing and classifying stages share.

A local run executes its stages in one process and, for the CPU-bound part, one thread. Beam's
own remedy, worker processes (--direct_running_mode=multi_processing), starts each worker as a
new interpreter that imports Beam and builds the classifier again, and moves every element
between processes through gRPC. Instead, a local run forks `size` processes from the launcher
before the pipeline starts (`start()`): they share its imports copy-on-write, each builds the
classifier once, and the stages whose work is CPU-bound (parsing feeds and pages, classifying)
hand each element to them and go on; fetching and writing stay in the launcher.

`PooledFn.process()` submits an element and returns the outputs of those that are done, oldest
first; at most IN_FLIGHT_PER_PROCESS x size elements are out at once (memory stays bounded);
`finish_bundle()` returns the rest. Without a pool (another runner, a worker process, a test) the
same work runs inline. A bug in the work becomes an error row of the stage, as Beam's dead
letters do; a pool process that dies fails the elements it had out, and the run goes on inline.
"""

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable

import apache_beam as beam

from dyad.errors import dead_letter_row
from dyad.transforms.dead_letters import ErrorOut, Out, error_output, in_window

log = logging.getLogger(__name__)

# Elements out (queued or being worked on) per pool process: results are taken oldest first, so
# with few out a process can idle while the launcher waits for one slow page (docs/throughput.md).
IN_FLIGHT_PER_PROCESS = 16

_pool: dict = {"executor": None, "size": 0}
_PR_SET_PDEATHSIG = 1   # <sys/prctl.h>


def start(size: int, warm_up: Callable[[], None]) -> bool:
    """Fork `size` processes now, each running `warm_up` first; False where fork is not
    available. Called before the pipeline's threads start: a fork copies only the calling
    thread, and a lock another thread held would stay held in the child."""
    if size < 1 or "fork" not in multiprocessing.get_all_start_methods():
        return False
    executor = ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_prepare_child, initargs=(warm_up, os.getpid()))
    # With fork the first task forks every process, at once and in this thread; their warm-up
    # then runs beside the launcher's start (the first parse waits for it, not the launcher).
    executor.submit(int)
    _pool.update(executor=executor, size=size)
    return True


def stop() -> None:
    executor = _pool["executor"]
    _pool.update(executor=None, size=0)
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)


def size() -> int:
    """Processes of the running pool (0: none, the work runs inline)."""
    return _pool["size"]


def _prepare_child(warm_up: Callable[[], None], launcher: int) -> None:
    # Ctrl-C reaches the whole process group: the launcher decides what stops (a stream drains).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(launcher)
    warm_up()


def _die_with(launcher: int) -> None:
    """Have the kernel send this process SIGTERM when the launcher dies (Linux's
    PR_SET_PDEATHSIG): a launcher killed outright (SIGKILL, the OOM killer) cannot shut its pool
    down, and its processes would wait for work for ever. Elsewhere nothing is done."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError, TypeError):
        return
    if os.getppid() != launcher:  # it died before prctl took effect
        os._exit(1)


def _run(work: Callable, element, args: tuple):
    """In a pool process: (True, outputs), or (False, (exception type name, repr)) for a bug."""
    try:
        return True, work(element, *args)
    except Exception as exc:  # noqa: BLE001 - every bug of an element becomes its error row
        return False, (type(exc).__name__, repr(exc)[:500])


class PooledFn(beam.DoFn):
    """Subclasses give `work` (a module-level function: element, *work_args() → list of outputs,
    main or `error_output`), its `work_args()`, the `stage` named in error rows, and may count
    what they emit (`count`)."""

    stage = ""
    work: Callable = None

    def __init__(self, run_id: str):
        self.run_id = run_id

    def work_args(self) -> tuple:
        return ()

    def count(self, output) -> None:
        """Called for every output, in the launcher (metrics are counted there)."""

    def setup(self):
        self.executor = _pool["executor"]
        self.limit = IN_FLIGHT_PER_PROCESS * max(_pool["size"], 1)

    def start_bundle(self):
        self.out: deque = deque()

    def process(self, element, timestamp=beam.DoFn.TimestampParam,
                window=beam.DoFn.WindowParam) -> Iterable[Out | ErrorOut]:
        if self.executor is None:
            yield from self._emit(element, _run(type(self).work, element, self.work_args()),
                                  timestamp, window)
            return
        try:
            future = self.executor.submit(_run, type(self).work, element, self.work_args())
        except (BrokenProcessPool, RuntimeError):  # broken, or shut down: inline from now on
            self.executor = None
            yield from self.process(element, timestamp, window)
            return
        self.out.append((future, element, timestamp, window))
        while len(self.out) >= self.limit or (self.out and self.out[0][0].done()):
            yield from self._collect(*self.out.popleft())

    def finish_bundle(self):
        while self.out:
            yield from self._collect(*self.out.popleft())

    def _collect(self, future, element, timestamp, window) -> Iterable:
        try:
            result = future.result()
        except BrokenProcessPool as exc:
            if self.executor is not None:
                log.warning("a %s process died (%s): its elements become error rows, the rest "
                            "of the run works inline", self.stage, exc)
                self.executor = None
            result = False, (type(exc).__name__, repr(exc)[:500])
        except Exception as exc:  # noqa: BLE001 - e.g. outputs that could not be pickled
            result = False, (type(exc).__name__, repr(exc)[:500])
        yield from self._emit(element, result, timestamp, window)

    def _emit(self, element, result, timestamp, window) -> Iterable:
        ok, outputs = result
        if not ok:
            outputs = [error_output(dead_letter_row(self.stage, (element, (*outputs, None)),
                                                    self.run_id))]
        for out in outputs:
            self.count(out)
            yield in_window(out, timestamp, window)
