"""The shared way a stage runs a DoFn: main output, expected failures, unexpected failures.

Every stage's DoFn yields its elements on the main output and expected failures (a 404, a page
with no text) as ready `ingest_errors` rows on the `errors` tag; `with_exception_handling` catches
anything unexpected, and those dead letters are turned into rows of the same shape here.

A stage's error rows come back as a tuple of PCollections, not flattened into one: the writers
take lists, and a flatten would make a local stream's runner hold every row until the stream ends.
"""
from __future__ import annotations

import inspect
from typing import Literal, TypeVar

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.windowed_value import WindowedValue

from dyad.errors import dead_letter_row

ERRORS = "errors"
MAIN = "main"
# Declared in process() return hints so Beam knows the tag (and does not warn about it).
ErrorOut = TaggedOutput[Literal["errors"], dict]
# The main output of a stage base class whose subclasses output different types: Beam reads
# `Iterable[Out | ErrorOut]` as "some type, and the errors tag" (`object | ErrorOut` it reads as
# Any, losing the tag).
Out = TypeVar("Out")


def error_output(row: dict) -> TaggedOutput:
    return TaggedOutput(ERRORS, row)


def in_window(output, timestamp, window):
    """A main or tagged output placed in its element's window: what finish_bundle() (or a
    process() call of a later element) must yield for an element it no longer holds."""
    if isinstance(output, TaggedOutput):
        return TaggedOutput(output.tag, WindowedValue(output.value, timestamp, [window]))
    return WindowedValue(output, timestamp, [window])


def run_stage(pcoll, label: str, fn: beam.DoFn, stage: str, run_id: str, extra_tags=(),
              side_inputs=(), partial: bool = False):
    """Apply `fn` under `label`; return (main, errors, *extra outputs in `extra_tags` order).

    `errors` is a tuple of PCollections of `ingest_errors` rows: those `fn` yielded and those of
    elements it crashed on.
    A stateful `fn` keeps its state and timers; a crash part-way may leave its state written.
    Beam holds an element's outputs until `fn` is done with it, so that a crash emits none of
    them; with `partial`, each output goes on at once (an element with many outputs, a whole
    archive file, would otherwise sit in memory) and a crash keeps those already emitted.
    """
    result = pcoll | label >> beam.ParDo(fn, *side_inputs).with_outputs(
        ERRORS, *extra_tags, main=MAIN).with_exception_handling(
        partial=partial, allow_unsafe_userstate_in_process=_takes_runner_params(fn))
    crashed = result.bad | f"{label}DeadLetters" >> beam.Map(_dead_letter, stage, run_id)
    return (result[MAIN], (result[ERRORS], crashed), *(result[tag] for tag in extra_tags))


def _takes_runner_params(fn: beam.DoFn) -> bool:
    """Whether `fn.process` asks for state, timers, its timestamp or window. Only the wrapper that
    `allow_unsafe_userstate_in_process` selects passes those through (the "unsafe" part is that a
    crash part-way may leave state written)."""
    return any(isinstance(param.default, (beam.DoFn.StateParam, beam.DoFn.TimerParam,
                                          type(beam.DoFn.TimestampParam)))
               for param in inspect.signature(fn.process).parameters.values())


def _dead_letter(dead_letter, stage: str, run_id: str) -> dict:
    beam.metrics.Metrics.counter("dyad", f"{stage}_crashed").inc()
    return dead_letter_row(stage, dead_letter, run_id)
