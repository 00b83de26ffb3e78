"""The launcher's changes to Beam: kept answers must equal Beam's own, for every kind of DoFn."""
import apache_beam as beam
from apache_beam.coders import VarIntCoder
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import core, userstate
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from dyad.pipelines import launch


class _CountFn(beam.DoFn):
    COUNT = ReadModifyWriteStateSpec("count", VarIntCoder())

    def process(self, element, count=beam.DoFn.StateParam(COUNT)):
        seen = (count.read() or 0) + 1
        count.write(seen)
        yield element[0], seen


class _PlainFn(beam.DoFn):
    def process(self, element):
        yield element


def _names(specs):
    return [{spec.name for spec in kind} for kind in specs]


def _wrapped(dofn: beam.DoFn, allow_state: bool):
    """A DoFn as with_exception_handling() wraps it: with methods of its own instance."""
    return core._ExceptionHandlingWrapperDoFn(dofn, "errors", (Exception,), False, None,
                                              allow_state)


def test_kept_state_specs_are_beams_own_for_each_kind_of_dofn():
    launch._memoize_dofn_specs()
    kept, beams = userstate.get_dofn_specs, userstate.get_dofn_specs.beams
    dofns = [_CountFn(), _CountFn(), _PlainFn(), beam.Map(len).fn, beam.Map(str).fn,
             _wrapped(_CountFn(), True), _wrapped(_PlainFn(), False)]
    for _ in range(2):  # the second round is answered from what was kept
        for dofn in dofns:
            assert _names(kept(dofn)) == _names(beams(dofn)), dofn
    assert _names(kept(dofns[0])) == [{"count"}, set()]
    assert _names(kept(_wrapped(_CountFn(), True))) == [{"count"}, set()]
    first, second = kept(dofns[0])[0], kept(dofns[0])[0]
    first.clear()
    assert second and kept(dofns[0])[0] == second  # each caller gets its own copy


def test_a_stateful_pipeline_runs_with_the_kept_answers():
    launch._memoize_dofn_specs()
    with TestPipeline() as p:
        counts = p | beam.Create([("a", 1), ("a", 2), ("b", 3)]) | beam.ParDo(_CountFn())
        assert_that(counts, equal_to([("a", 1), ("a", 2), ("b", 1)]))
