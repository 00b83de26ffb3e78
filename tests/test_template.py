"""Dataflow: the Flex Template's metadata, and the pipeline graphs built for the DataflowRunner."""
import json
import os
import re

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from dyad.options import settings_from
from dyad.pipelines import backfill, batch, stream
from dyad.pipelines.launch import Run
from dyad.pipelines.template import metadata, option_actions
from tests.conftest import REPO

# Steps that dyad names; everything else in a graph is inside these.
BATCH_STEPS = {"FeedList", "ReadFeeds", "KnownStories", "Dedupe", "FetchArticles",
               "ParseArticles", "Classify", "Cluster", "WriteWarehouse", "SetClusters"}
BACKFILL_STEPS = {"ReadWarcs", "Dedupe", "ParseArticles", "Classify", "Cluster",
                  "WriteWarehouse", "SetClusters"}
STREAM_STEPS = {"Clock", "PollFeeds", "ParseFeeds", "Dedupe", "FetchArticles", "ParseArticles",
                "Classify", "Cluster", "CountPerHour", "WriteWarehouse"}


def test_metadata_json_lists_exactly_the_options():
    with open(os.path.join(REPO, "dataflow", "metadata.json"), encoding="utf-8") as f:
        on_disk = json.load(f)
    assert on_disk == metadata(), "regenerate: python -m dyad.pipelines.template --metadata"
    names = [p["name"] for p in on_disk["parameters"]]
    assert names == [a.dest for a in option_actions()] and len(names) == len(set(names))
    for parameter in on_disk["parameters"]:
        assert parameter["label"] and parameter["helpText"]
        for regex in parameter.get("regexes", []):
            re.compile(regex)
    by_name = {p["name"]: p for p in on_disk["parameters"]}
    assert not by_name["feeds"]["isOptional"] and by_name["warc"]["isOptional"]
    with open(os.path.join(REPO, "dataflow", "metadata-backfill.json"), encoding="utf-8") as f:
        backfill_metadata = json.load(f)
    assert backfill_metadata == metadata("backfill"), \
        "regenerate: python -m dyad.pipelines.template --metadata backfill"
    required = [p["name"] for p in backfill_metadata["parameters"] if not p["isOptional"]]
    assert required == ["warc"]
    assert re.match(by_name["warehouse"]["regexes"][0], "bigquery:my-project.news")
    assert not re.match(by_name["poll_interval"]["regexes"][0], "soon")


def dataflow_graph(module, feeds):
    """Build `module`'s pipeline for the DataflowRunner without submitting it (dry run)."""
    argv = ["--runner", "DataflowRunner", "--project", "dyad-test-1", "--region", "europe-west1",
            "--temp_location", "gs://dyad-test-bucket/tmp", "--dry_run", "true",
            "--feeds", feeds, "--warc", "gs://dyad-test-bucket/warc/*.warc.gz",
            "--warehouse", "bigquery:dyad-test-1.news"]
    options = PipelineOptions(argv + (["--streaming"] if module is stream else []))
    pipeline = beam.Pipeline(options=options)
    module.build(pipeline, settings_from(options, "warc" if module is backfill else "feeds"),
                 Run.new())
    result = pipeline.run()
    assert result.job is not None  # the job was built, and not submitted
    proto = pipeline.runner.proto_pipeline
    transforms = proto.components.transforms
    # The runner wraps the whole graph in one synthetic root; dyad's steps are its children.
    roots = [transforms[i] for i in proto.root_transform_ids]
    top = {transforms[child].unique_name for root in roots for child in root.subtransforms}
    names = [t.unique_name for tid, t in transforms.items() if tid not in proto.root_transform_ids]
    return names, top


@pytest.mark.parametrize("module, steps", [(batch, BATCH_STEPS), (stream, STREAM_STEPS),
                                           (backfill, BACKFILL_STEPS)],
                         ids=["batch", "stream", "backfill"])
def test_dataflow_graph_has_stable_unique_labels(module, steps, monkeypatch, tmp_path):
    monkeypatch.delenv("BIGQUERY_EMULATOR_HOST", raising=False)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - url: https://example.org/rss.xml\n")
    first, top = dataflow_graph(module, str(feeds))
    second, _ = dataflow_graph(module, str(feeds))
    assert len(first) == len(set(first)) > 40
    assert sorted(first) == sorted(second)  # nothing depends on the run, the clock or memory
    assert top == steps
    assert all(name.split("/")[0] in steps for name in first)
    generated = [name for name in first if re.search(r"<lambda at (?!core\.py|bigquery_file_loads)"
                                                     r"|at 0x[0-9a-f]+", name)]
    assert generated == []
