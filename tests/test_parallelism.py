"""dyad.pipelines.parallelism: how a local run is spread over the machine's cores."""
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions

from dyad.pipelines import parallelism
from dyad.pipelines.parallelism import choose


def _direct(options):
    d = options.view_as(DirectOptions)
    return d.direct_running_mode, d.direct_num_workers


def test_a_local_run_forks_a_process_per_core_and_keeps_beam_in_one():
    options = PipelineOptions([])
    plan = choose(options, [], cores=4)
    assert plan.pool == 4
    assert plan.note == "one process, parse and classify in 4 forked processes (4 cores)"
    assert _direct(options) == ("in_memory", 1)   # no Beam worker processes


def test_one_core_gets_no_pool():
    plan = choose(PipelineOptions([]), [], cores=1)
    assert plan.pool == 0 and plan.note == "one process (one core)"


def test_the_users_flags_win_and_get_no_pool():
    argv = ["--direct_running_mode=in_memory"]   # the default, said on purpose
    options = PipelineOptions(argv)
    plan = choose(options, argv, cores=8)
    assert plan.pool == 0 and "as the flags say" in plan.note
    argv = ["--direct_num_workers", "3", "--direct_running_mode=multi_threading"]
    options = PipelineOptions(argv)
    assert choose(options, argv, cores=8).pool == 0
    assert _direct(options) == ("multi_threading", 3)


def test_another_runner_is_left_alone():
    options = PipelineOptions(["--runner=DataflowRunner"])
    plan = choose(options, ["--runner=DataflowRunner"], cores=8)
    assert plan == parallelism.Plan(0, "runner DataflowRunner")
    assert _direct(options) == ("in_memory", 1)


def test_cores_are_those_this_process_may_use():
    assert 1 <= parallelism.available_cores()
