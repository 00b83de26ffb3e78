"""How a local run uses the machine: the CPU-bound stages in a pool of forked processes.

Beam's DirectRunner runs everything in the launching process, in one thread, unless told to
start worker processes (--direct_running_mode, --direct_num_workers); each of those imports Beam
and builds the classifier again before its first story, and every element travels to it and back
through gRPC (docs/throughput.md has the figures). dyad instead keeps the run in one Beam process
and forks a process per core for parsing and classifying (`dyad.transforms.cpu_pool`).
A user's own runner flags always win (no pool then); a run on another runner (Dataflow) is left
alone, as are machines with one core.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

_LOCAL_RUNNERS = (None, "", "DirectRunner", "direct", "FnApiRunner")
_FLAGS = ("--direct_running_mode", "--direct_num_workers")


@dataclass(frozen=True)
class Plan:
    pool: int  # processes to fork for the CPU-bound stages (0: none)
    note: str  # what the progress line and the summary say


def available_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def choose(options: PipelineOptions, argv: list[str], cores: int | None = None) -> Plan:
    """How a run with these options and this command line uses the machine."""
    runner = options.view_as(StandardOptions).runner
    if runner not in _LOCAL_RUNNERS:
        return Plan(0, f"runner {runner}")
    direct = options.view_as(DirectOptions)
    # From the command line itself: a flag that repeats a default is still the user's choice.
    if any(arg.split("=", 1)[0] in _FLAGS for arg in argv):
        return Plan(0, f"{direct.direct_running_mode}, {direct.direct_num_workers} worker(s) "
                       "(as the flags say)")
    cores = cores or available_cores()
    if cores < 2:
        return Plan(0, "one process (one core)")
    return Plan(cores, f"one process, parse and classify in {cores} forked processes "
                       f"({cores} cores)")
