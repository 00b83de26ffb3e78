"""dyad.pipelines.parallelism: how a local batch run is spread over the machine's cores."""
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions

from dyad.pipelines import parallelism
from dyad.pipelines.parallelism import ENTRIES_PER_FEED, MIN_ENTRIES_FOR_WORKERS, choose


def _direct(options):
    d = options.view_as(DirectOptions)
    return d.direct_running_mode, d.direct_num_workers


def test_worker_processes_only_for_runs_that_pay_for_them():
    enough = -(-MIN_ENTRIES_FOR_WORKERS // ENTRIES_PER_FEED)   # feeds at the threshold
    assert parallelism.local_workers(enough, 2) == 2
    assert parallelism.local_workers(enough - 1, 2) == 1
    assert parallelism.local_workers(enough, 4) == 4
    assert parallelism.local_workers(1000, 1) == 1


def test_a_big_run_gets_a_worker_per_core():
    options = PipelineOptions([])
    said = choose(options, [], lambda: 40, cores=2)
    assert _direct(options) == ("multi_processing", 2)
    assert said == "2 worker processes (2 cores, 40 feeds)"


def test_a_small_run_stays_in_one_process():
    options = PipelineOptions([])
    said = choose(options, [], lambda: 3, cores=8)
    assert _direct(options) == ("in_memory", 1)
    assert "one process" in said and "3 feeds" in said


def test_the_users_flags_win():
    argv = ["--direct_running_mode=in_memory"]   # the default, said on purpose
    options = PipelineOptions(argv)
    said = choose(options, argv, lambda: 400, cores=8)
    assert _direct(options) == ("in_memory", 1) and "as the flags say" in said
    argv = ["--direct_num_workers", "3", "--direct_running_mode=multi_threading"]
    options = PipelineOptions(argv)
    choose(options, argv, lambda: 400, cores=8)
    assert _direct(options) == ("multi_threading", 3)


def test_another_runner_is_left_alone_and_the_feed_list_not_read():
    def unread():
        raise AssertionError("the feed list is not read for a remote runner")

    options = PipelineOptions(["--runner=DataflowRunner"])
    assert choose(options, ["--runner=DataflowRunner"], unread, cores=8) == "runner DataflowRunner"
    assert _direct(options) == ("in_memory", 1)


def test_cores_are_those_this_process_may_use():
    assert 1 <= parallelism.available_cores()
