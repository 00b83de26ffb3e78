"""What every pipeline does before and after its stages: options, the warehouse, the run's identity."""
from __future__ import annotations

import datetime as dt
import types
import uuid
from dataclasses import dataclass
from typing import Callable

import apache_beam as beam
import grpc
from apache_beam.metrics.monitoring_infos import consolidate
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions, StandardOptions
from apache_beam.runners.portability import local_job_service
from apache_beam.runners.portability.fn_api_runner import fn_runner, worker_handlers
from apache_beam.transforms import core, userstate

from dyad import progress, warehouse
from dyad.classify import warm_up
from dyad.options import Settings, refuse_unknown, settings_from
from dyad.pipelines import parallelism
from dyad.transforms import cpu_pool

# Locally a stream runs on Beam's in-process portable runner: it executes the poll clock (a
# splittable DoFn) for real, and stages fused with it emit as each poll ends. The DirectRunner's
# default would first try to download Prism; its bundle-based mode cannot run splittable DoFns.
LOCAL_STREAMING_RUNNER = "FnApiRunner"


class _LoopbackGrpc:
    """grpc, except that its servers bind loopback where Beam's local runner asks for every
    interface ('[::]:0'): the control, data, state and logging servers it starts for worker
    processes (--direct_running_mode=multi_processing) must not be reachable from the network.
    The workers connect to 'localhost' already."""

    def __getattr__(self, name):
        return getattr(grpc, name)

    @staticmethod
    def server(*args, **kwargs):
        return _LoopbackServer(grpc.server(*args, **kwargs))


class _LoopbackServer:
    def __init__(self, server):
        self._server = server

    def add_insecure_port(self, address: str) -> int:
        return self._server.add_insecure_port(address.replace("[::]:", "localhost:"))

    def __getattr__(self, name):
        return getattr(self._server, name)


def _consolidate_eagerly(infos):
    return list(consolidate(infos))


def _memoize_dofn_specs() -> None:
    """Beam asks for a DoFn's state and timer specs about ten times per ParDo while it builds,
    translates and runs a pipeline, each time wrapping every method of the DoFn to read its
    default arguments: a second of every run's start-up, and again for each bundle the local
    runner starts. The answer depends only on the class's methods (or, for Map and FlatMap, on
    the wrapped function), so it is kept per class; a DoFn with methods of its own instance is
    asked afresh."""
    if getattr(userstate.get_dofn_specs, "memoized", False):
        return
    inspect = userstate.get_dofn_specs
    known: dict = {}

    def get_dofn_specs(dofn):
        if any(isinstance(value, types.MethodType) for value in vars(dofn).values()):
            return inspect(dofn)
        wrapped = getattr(dofn, "_fn", None) if isinstance(dofn, core.CallableWrapperDoFn) \
            else None
        key = (type(dofn), id(wrapped))
        if key not in known:
            known[key] = (wrapped, *inspect(dofn))  # the function kept: its id stays its own
        _fn, states, timers = known[key]
        return set(states), set(timers)

    get_dofn_specs.memoized, get_dofn_specs.beams = True, inspect
    userstate.get_dofn_specs = get_dofn_specs


def _bound_local_stream_metrics() -> None:
    """The in-process runner merges each bundle's metrics into a lazy generator chained onto the
    previous ones: a stream, with a bundle per wake-up, grows it without bound (memory, and a
    RecursionError when read). Merging eagerly keeps one consolidated list per stage."""
    fn_runner.consolidate_monitoring_infos = _consolidate_eagerly


@dataclass(frozen=True)
class Run:
    """Identity of one ingest run or stream: every row it writes carries these."""

    run_id: str
    started_at: dt.datetime

    @classmethod
    def new(cls) -> "Run":
        now = dt.datetime.now(dt.timezone.utc)
        return cls(f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}", now)


def execute(argv: list[str], build: Callable, streaming: bool, run_identity: Run | None = None,
            source: str = "feeds"):
    """Validate options, prepare the warehouse, build with `build(pipeline, settings, run)`, run.
    `source` is what the pipeline reads: "feeds" or "warc" (options.settings_from).

    Returns (Run, Settings, PipelineResult) once a local pipeline has finished, or once a remote
    one has been submitted.
    """
    refuse_unknown(argv)
    _memoize_dofn_specs()
    options = PipelineOptions(argv)
    worker_handlers.grpc = local_job_service.grpc = _LoopbackGrpc()
    setup = options.view_as(SetupOptions)
    setup.save_main_session = False
    standard = options.view_as(StandardOptions)
    if streaming:
        standard.streaming = True
        standard.runner = standard.runner or LOCAL_STREAMING_RUNNER
        if standard.runner == LOCAL_STREAMING_RUNNER:
            _bound_local_stream_metrics()
    settings: Settings = settings_from(options, source)
    plan = parallelism.choose(options, argv)
    progress.set_note(plan.note + ("; robots.txt IGNORED (--ignore-robots)"
                                   if settings.ignore_robots else ""))
    if settings.bigquery:  # workers then point Beam's BigQuery clients where the launcher does
        setup.beam_plugins = [*(setup.beam_plugins or []), warehouse.BEAM_PLUGIN]
    warehouse.prepare(settings)
    identity = run_identity or Run.new()
    pipeline = beam.Pipeline(options=options)
    build(pipeline, settings, identity)
    # Forked before the runner starts its threads; after the options and the warehouse are
    # known to be good, so that a typo costs no processes.
    if plan.pool and not cpu_pool.start(plan.pool, warm_up):
        progress.set_note("one process (this system cannot fork)")
    try:
        result = pipeline.run()
        if not submits_remotely(standard.runner):
            result.wait_until_finish()  # a Dataflow job (and a Flex Template launch) returns at once
    finally:
        cpu_pool.stop()
    return identity, settings, result


def submits_remotely(runner) -> bool:
    return "Dataflow" in str(runner or "")
