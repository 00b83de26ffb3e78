"""The warehouse tables: stories (one row per story), story_sightings, ingest_errors, and the
hourly counts that `dyad stream` keeps; the views over them (daily counts, story clusters)."""
from dyad.schemas.fields import Field, Table

S, I, F, T, R = "STRING", "INTEGER", "FLOAT", "TIMESTAMP", "RECORD"

STORIES = Table(
    name="stories",
    primary_key=("story_id",),
    description="One row per story, deduplicated on its canonical URL.",
    partition_field="published_at",
    cluster_fields=("country_pair", "topic"),
    fields=(
        Field("story_id", S, "REQUIRED", "sha256 of the canonical URL without scheme and www."),
        Field("url", S, "REQUIRED", "The link as the feed gave it."),
        Field("canonical_url", S, "REQUIRED", "Link with tracking parameters and fragment removed."),
        Field("source", S, "REQUIRED", "Outlet domain (registered domain of the canonical URL)."),
        Field("feed_url", S, "REQUIRED", "The feed the story was first taken from."),
        Field("feed_name", S, description="That feed's name from the feed list."),
        Field("title", S, description="Article title (page, else feed entry)."),
        Field("summary", S, description="The feed entry's summary, as plain text."),
        Field("text", S, description="Article body text, or the feed summary when the page failed."),
        Field("authors", S, "REPEATED", "Bylines."),
        Field("language", S, description="ISO 639-1 code detected from the text (the page's "
              "declared language only when the text is too short): see provenance.language."),
        Field("published_at", T, "REQUIRED", "Publish time (page, else feed entry, else the "
              "ingest time: see provenance.published_at), UTC. BigQuery partitions on its day."),
        Field("published_date", "DATE", description="The calendar day of publication as the page "
              "states it, in its own time zone (published_at's UTC day can be the day before "
              "or after); the daily views count by it. NULL on rows written before it existed."),
        Field("fetched_at", T, description="When the article page was fetched; NULL on fallback."),
        Field("ingested_at", T, "REQUIRED", "When the run that wrote this row started."),
        Field("topic", S, description="Top topic label (see the taxonomy in the README)."),
        Field("topic_iptc", S, description="IPTC Media Topic code of the top topic."),
        Field("topic_score", F, description="Score of the top topic, 0..1."),
        Field(
            "topics", R, "REPEATED", "Every topic that scored, best first.",
            fields=(Field("label", S), Field("iptc", S), Field("score", F)),
        ),
        Field(
            "countries", R, "REPEATED", "Countries mentioned, most salient first.",
            fields=(
                Field("code", S, description="ISO 3166-1 alpha-3."),
                Field("name", S),
                Field("mentions", I),
                Field("salience", F, description="0..1; title and lead weigh more."),
            ),
        ),
        Field("country_focus", S, description="The main country: the most salient code."),
        Field("country_pair", S, description="The two most salient codes, sorted, joined by '-'."),
        Field("country_a", S, description="First code of the pair (alphabetical), or the only one."),
        Field("country_b", S, description="Second code of the pair."),
        Field("cluster_id", S, description="The same-story cluster: the story_id of its first "
              "article (syndicated copies, rewrites, the same event in other languages). NULL on "
              "rows written before clusters existed."),
        Field(
            "relation", R,
            description="What the two countries of the pair do to each other, from the first "
            "sentence (title, then text) whose event joins them; NULL when none does, and on "
            "rows written before relations existed (see the README's Relations).",
            fields=(
                Field("event", S, description="One of PLOVER's 18 original event types (AGREE ... "
                      "FIGHT)."),
                Field("quad_class", S, description="verbal_cooperation, material_cooperation, "
                      "verbal_conflict or material_conflict."),
                Field("score", F, description="Goldstein-like intensity, -10 (war) to +10."),
                Field("source", S, description="ISO 3166-1 alpha-3 of the country that acts."),
                Field("target", S, description="ISO 3166-1 alpha-3 of the country acted upon "
                      "(when both act together, the other of the two)."),
                Field("confidence", F, description="0..1: higher in the title, lower further in."),
                Field("evidence", S, description="The sentence the event was read from."),
            ),
        ),
        Field("extraction", S, "REQUIRED", "Who produced the text: trafilatura, "
              "trafilatura-precision, readability, or feed_summary."),
        Field(
            "provenance", R,
            description="Where each field came from (h1, og:title, json-ld, meta, htmldate, feed, ...).",
            fields=tuple(Field(name, S) for name in
                         ("title", "published_at", "authors", "language", "top_image")),
        ),
        Field("extraction_note", S, description="Why the feed summary was used, when it was."),
        Field("top_image", S, description="Lead image URL."),
        Field("word_count", I, description="Words in text."),
        Field("pipeline_version", S, "REQUIRED", "dyad version that wrote the row."),
        Field("run_id", S, "REQUIRED", "The ingest run that wrote the row."),
    ),
)

SIGHTINGS = Table(
    name="story_sightings",
    primary_key=("story_id", "feed_url"),
    description="Every feed a story appeared in, with when it was first and last seen there.",
    partition_field="first_seen_at",
    cluster_fields=("story_id",),
    on_conflict=(("first_seen_at", "min"), ("last_seen_at", "max")),
    fields=(
        Field("story_id", S, "REQUIRED"),
        Field("feed_url", S, "REQUIRED"),
        Field("entry_url", S, "REQUIRED", "The link as that feed gave it."),
        Field("guid", S, description="The entry's id/guid in that feed."),
        Field("entry_published_at", T, description="The entry's own date in that feed."),
        Field("first_seen_at", T, "REQUIRED"),
        Field("last_seen_at", T, "REQUIRED"),
    ),
)

ERRORS = Table(
    name="ingest_errors",
    description="Dead letters: every failure of every stage, one row each.",
    partition_field="occurred_at",
    cluster_fields=("stage", "error_type"),
    fields=(
        Field("stage", S, "REQUIRED", "read_feeds, parse_feeds, dedupe, fetch, parse, classify, write."),
        Field("url", S, description="The URL the failing element was about."),
        Field("feed_url", S, description="The feed it came from."),
        Field("error_type", S, "REQUIRED", "A stable short code or the exception class."),
        Field("message", S, "REQUIRED"),
        Field("occurred_at", T, "REQUIRED"),
        Field("run_id", S, "REQUIRED"),
        Field("pipeline_version", S, "REQUIRED"),
    ),
)

HOURLY = Table(
    name="hourly_pair_topic",
    primary_key=("stream_id", "hour", "country_pair", "topic"),
    description="Stories per hour of publication, country pair and topic, counted by `dyad "
                "stream` while it runs (one row per stream run; sum them over stream_id).",
    partition_field="hour",
    cluster_fields=("country_pair", "topic"),
    on_conflict=(("stories", "max"), ("outlets", "max"), ("updated_at", "max")),
    fields=(
        Field("stream_id", S, "REQUIRED", "The stream run that counted (its run_id)."),
        Field("hour", T, "REQUIRED", "Start of the hour of published_at, UTC."),
        Field("country_pair", S, "REQUIRED", "The pair, or '' for a story without one."),
        Field("topic", S, "REQUIRED", "The topic, or '' for a story without one."),
        Field("stories", I, "REQUIRED", "Stories counted so far."),
        Field("outlets", I, "REQUIRED", "Distinct sources among them."),
        Field("updated_at", T, "REQUIRED", "When the count last changed."),
    ),
)

ALL_TABLES = (STORIES, SIGHTINGS, ERRORS, HOURLY)

# Dashboards read this; plain SQL that DuckDB and BigQuery both accept, once {stories} is replaced
# by the warehouse's name for the stories table.
DAILY_VIEW_NAME = "daily_pair_topic"
# A story's day: as its page states it; rows older than published_date fall back to the UTC day.
STORY_DATE_SQL = "COALESCE(published_date, CAST(published_at AS DATE))"
# A story's cluster; a row written before clusters existed is a cluster of its own.
CLUSTER_SQL = "COALESCE(cluster_id, story_id)"
DAILY_VIEW_SQL = f"""
SELECT {STORY_DATE_SQL} AS date,
       country_pair,
       topic,
       COUNT(*) AS stories,
       COUNT(DISTINCT source) AS outlets,
       COUNT(DISTINCT {CLUSTER_SQL}) AS clusters
FROM {{stories}}
GROUP BY 1, 2, 3
"""

# One row per same-story cluster; its representative is its first article (by publish time).
CLUSTERS_VIEW_NAME = "story_clusters"
CLUSTERS_VIEW_SQL = f"""
SELECT c.cluster_id, c.first_seen, c.last_seen, c.articles, c.outlets, c.languages,
       r.story_id AS representative_story_id, r.title, r.country_pair, r.topic
FROM (SELECT {CLUSTER_SQL} AS cluster_id,
             MIN(published_at) AS first_seen,
             MAX(published_at) AS last_seen,
             COUNT(*) AS articles,
             COUNT(DISTINCT source) AS outlets,
             STRING_AGG(DISTINCT language, ',' ORDER BY language) AS languages
      FROM {{stories}}
      GROUP BY 1) AS c
JOIN (SELECT {CLUSTER_SQL} AS cluster_id, story_id, title, country_pair, topic,
             ROW_NUMBER() OVER (PARTITION BY {CLUSTER_SQL}
                                ORDER BY published_at, story_id) AS n
      FROM {{stories}}) AS r
  ON r.cluster_id = c.cluster_id AND r.n = 1
"""
# Per day and country pair, how its stories' relations lean: the shares are of the stories with
# a relation (`related`), the score is their mean intensity.
RELATIONS_VIEW_NAME = "daily_pair_relations"
RELATIONS_VIEW_SQL = f"""
SELECT {STORY_DATE_SQL} AS date,
       country_pair,
       COUNT(*) AS stories,
       COUNT(relation.event) AS related,
       AVG(CASE WHEN relation.quad_class IN ('verbal_cooperation', 'material_cooperation')
                THEN 1.0 WHEN relation.quad_class IS NOT NULL THEN 0.0 END) AS cooperation_share,
       AVG(CASE WHEN relation.quad_class IN ('verbal_conflict', 'material_conflict')
                THEN 1.0 WHEN relation.quad_class IS NOT NULL THEN 0.0 END) AS conflict_share,
       AVG(relation.score) AS mean_score
FROM {{stories}}
WHERE country_pair IS NOT NULL
GROUP BY 1, 2
"""
# Every view, by name: each warehouse creates them, replacing the old ones.
VIEWS = {DAILY_VIEW_NAME: (DAILY_VIEW_SQL, "Stories, outlets and same-story clusters per day, "
                                         "country pair and topic."),
         CLUSTERS_VIEW_NAME: (CLUSTERS_VIEW_SQL, "One row per same-story cluster."),
         RELATIONS_VIEW_NAME: (RELATIONS_VIEW_SQL, "Per day and country pair: stories, those "
                                                   "with a relation, their shares of cooperation "
                                                   "and conflict, and their mean score.")}
