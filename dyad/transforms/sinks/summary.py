"""The end-of-run report: one set of SQL that DuckDB and BigQuery both run.

`{stories}` and `{errors}` are replaced by the warehouse's table names; `@run_id` and `@top` are
query parameters. A backend passes `query(sql, params) -> rows`.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

Query = Callable[[str, dict], Sequence[tuple]]

_SCALARS = {
    "stories_written": "SELECT count(*) FROM {stories} WHERE run_id = @run_id",
    "stories_total": "SELECT count(*) FROM {stories}",
    "fallbacks": "SELECT count(*) FROM {stories} WHERE run_id = @run_id "
                 "AND extraction = 'feed_summary'",
    "clusters_written": "SELECT count(DISTINCT COALESCE(cluster_id, story_id)) FROM {stories} "
                        "WHERE run_id = @run_id",
    "clusters_shared": "SELECT count(*) FROM (SELECT cluster_id FROM {stories} "
                       "WHERE run_id = @run_id AND cluster_id IS NOT NULL "
                       "GROUP BY cluster_id HAVING count(*) > 1) AS shared",
}
# The stories a run's new stories are clustered with (`warehouse.recent_stories`).
RECENT_STORIES_SQL = ("SELECT story_id, cluster_id, title, SUBSTR(text, 1, 3000) AS text, language, "
                      "published_at, country_focus, country_a, country_b FROM {stories} "
                      "WHERE published_at >= @since")
RECENT_COLUMNS = ("story_id", "cluster_id", "title", "text", "language", "published_at",
                  "country_focus", "country_a", "country_b")

# The stories recently held, with each feed's link and GUID for them (`warehouse.outlet_stories`):
# an outlet that republishes one under a new link is matched with it by GUID or title.
OUTLET_STORIES_SQL = ("SELECT s.story_id, s.source, COALESCE(g.entry_url, s.url) AS url, "
                      "s.canonical_url, COALESCE(g.guid, '') AS guid, s.title, s.published_at "
                      "FROM {stories} AS s LEFT JOIN {sightings} AS g ON g.story_id = s.story_id "
                      "WHERE s.published_at >= @since")
OUTLET_COLUMNS = ("story_id", "source", "url", "canonical_url", "guid", "title", "published_at")

_LISTS = {
    "errors_by_stage": "SELECT stage, error_type, count(*) AS n FROM {errors} "
                       "WHERE run_id = @run_id GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
    "top_pairs": "SELECT country_pair, count(*) AS n FROM {stories} WHERE country_pair IS NOT NULL "
                 "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT @top",
    "top_topics": "SELECT topic, count(*) AS n FROM {stories} WHERE topic IS NOT NULL "
                  "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT @top",
}


def run_summary(query: Query, stories: str, errors: str, run_id: str, top: int = 5) -> dict:
    """What a run wrote and what the warehouse holds."""
    values = {"run_id": run_id, "top": top}

    def rows(template: str) -> list[tuple]:
        sql = template.format(stories=stories, errors=errors)
        used = {name: value for name, value in values.items() if f"@{name}" in sql}
        return [tuple(row) for row in query(sql, used)]

    summary = {name: rows(sql)[0][0] for name, sql in _SCALARS.items()}
    summary.update({name: rows(sql) for name, sql in _LISTS.items()})
    return summary


def duckdb_parameters(sql: str) -> str:
    """DuckDB names its parameters `$name` where BigQuery writes `@name`."""
    return re.sub(r"@(\w+)", r"$\1", sql)
