"""How a local batch run uses the machine: one process, or a worker process per core.

Beam's DirectRunner runs everything in the launching process unless told otherwise
(--direct_running_mode, --direct_num_workers). Worker processes pay for themselves only on a run
big enough: each imports Beam and builds the classifier's gazetteer before its first story, while
one process has built it already. The entries of a run are known only once its feeds are read, so
the choice is made from the feed list: a news feed carries about ENTRIES_PER_FEED entries.
A user's own flags always win; a run on another runner (Dataflow) is left alone.
"""
from __future__ import annotations

import os
from typing import Callable

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

# The median entry count of the 26 real news feeds in the development corpus
# (corpus/feeds/fastfeedparser/news_feeds_benchmark_data: 9 to 300 entries, median 25).
ENTRIES_PER_FEED = 25
# Below this many expected entries one process finishes first (measured with make bench's pages
# at 100 ms latency on 2 cores: docs/throughput.md).
MIN_ENTRIES_FOR_WORKERS = 400
_LOCAL_RUNNERS = (None, "", "DirectRunner", "direct")


def available_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def local_workers(feeds: int, cores: int) -> int:
    """Worker processes for a batch run of `feeds` feeds on `cores` cores (1: in this process)."""
    if cores < 2 or feeds * ENTRIES_PER_FEED < MIN_ENTRIES_FOR_WORKERS:
        return 1
    return cores


_FLAGS = ("--direct_running_mode", "--direct_num_workers")


def choose(options: PipelineOptions, argv: list[str], count_feeds: Callable[[], int],
           cores: int | None = None) -> str:
    """Set the DirectRunner's mode and worker count on `options` unless the user set either, and
    say what the run uses (the progress line and the summary show it). `count_feeds()` is called
    only for a local run whose flags leave the choice open."""
    if options.view_as(StandardOptions).runner not in _LOCAL_RUNNERS:
        return f"runner {options.view_as(StandardOptions).runner}"
    direct = options.view_as(DirectOptions)
    # From the command line itself: a flag that repeats a default is still the user's choice.
    if any(arg.split("=", 1)[0] in _FLAGS for arg in argv):
        return (f"{direct.direct_running_mode}, {direct.direct_num_workers} worker(s) "
                "(as the flags say)")
    cores = cores or available_cores()
    feeds = count_feeds()
    workers = local_workers(feeds, cores)
    if workers == 1:
        why = "one core" if cores < 2 else f"{feeds} feeds: too few to pay for worker processes"
        return f"one process ({why})"
    direct.direct_running_mode = "multi_processing"
    direct.direct_num_workers = workers
    return f"{workers} worker processes ({cores} cores, {feeds} feeds)"
