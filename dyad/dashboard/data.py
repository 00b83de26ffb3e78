"""What the dashboard reads: the filters a page asks for, and the queries behind each panel.

Counts come from the `daily_pair_topic` view that the README gives analysts (or, when an outlet
is chosen, from `stories` grouped the same way, since the view counts outlets rather than naming
them); a chosen pair's cooperation and conflict from `daily_pair_relations`; recent stories come
from `stories`. The SQL is written once for DuckDB and BigQuery:
`@name` parameters, and date arithmetic done here rather than in SQL. A DuckDB file is opened
read-only for each page and closed at once, so a stream writing to it is never blocked for long.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from dyad.schemas import (CLUSTER_SQL, DAILY_VIEW_NAME, RELATIONS_VIEW_NAME, STORIES,
                          STORY_DATE_SQL)

Query = Callable[[str, dict], Sequence[dict]]
DEFAULT_DAYS = 30
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None
    end: dt.date | None = None
    pair: str = ""
    country: str = ""
    topic: str = ""
    outlet: str = ""

    @classmethod
    def from_query(cls, params: dict) -> "Filters":
        """From a page's query string ({name: [value]}); unreadable dates are ignored."""
        one = {k: (v[0] if isinstance(v, list) else v).strip() for k, v in params.items()}
        return cls(start=_date(one.get("start")), end=_date(one.get("end")),
                   pair=one.get("pair", "").upper(), country=one.get("country", "").upper(),
                   topic=one.get("topic", "").lower(), outlet=one.get("outlet", "").lower())


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


class Warehouse:
    """The tables a dashboard reads, by name, and a way to query them."""

    def __init__(self, query: Query, table: Callable[[str], str]):
        self.query = query
        self.table = table

    def with_dates(self, filters: Filters) -> Filters:
        """Fill in a missing date range: the DEFAULT_DAYS up to the newest story."""
        if filters.start and filters.end:
            return filters
        newest = self.query(f"SELECT max(date) AS d FROM {self.table(DAILY_VIEW_NAME)}", {})
        last = (newest[0]["d"] if newest and newest[0]["d"] else None) or dt.date.today()
        end = filters.end or last
        return replace(filters, end=end, start=filters.start or end - dt.timedelta(
            days=DEFAULT_DAYS - 1))

    def _counts_source(self, filters: Filters) -> str:
        if not filters.outlet:
            return self.table(DAILY_VIEW_NAME)
        return (f"(SELECT {STORY_DATE_SQL} AS date, country_pair, topic, "
                f"COUNT(*) AS stories, COUNT(DISTINCT {CLUSTER_SQL}) AS clusters "
                f"FROM {self.table(STORIES.name)} WHERE source = @outlet GROUP BY 1, 2, 3)")

    def _where(self, filters: Filters, date_column: str) -> tuple[str, dict]:
        clauses = [f"{date_column} BETWEEN @start AND @end"]
        params = {"start": filters.start, "end": filters.end}
        if filters.pair:
            clauses.append("country_pair = @pair")
            params["pair"] = filters.pair
        if filters.country:
            clauses.append("country_pair LIKE @country")
            params["country"] = f"%{filters.country}%"
        if filters.topic:
            clauses.append("topic = @topic")
            params["topic"] = filters.topic
        if filters.outlet:
            params["outlet"] = filters.outlet
        return " AND ".join(clauses), params

    def _stories_by(self, filters: Filters, columns: tuple[str, ...]) -> list[dict]:
        """Stories summed by `columns` over the range; rows where a column is NULL left out."""
        where, params = self._where(filters, "date")
        present = "".join(f" AND {c} IS NOT NULL" for c in columns if c != "date")
        grouped = ", ".join(columns)
        return self.query(f"SELECT {grouped}, SUM(stories) AS stories FROM "
                          f"{self._counts_source(filters)} WHERE {where}{present} "
                          f"GROUP BY {grouped} ORDER BY {grouped}", params)

    def daily(self, filters: Filters) -> list[dict]:
        """Stories per day and topic (the chart)."""
        return self._stories_by(filters, ("date", "topic"))

    def top_pairs(self, filters: Filters, limit: int = 10) -> list[dict]:
        """Pairs by stories in the week up to `end`, with the week before for the change, and
        the week's same-story clusters (counted per day: a story told over two days counts
        on each)."""
        where, params = self._where(replace(filters, start=filters.end - 2 * WEEK + dt.timedelta(
            days=1)), "date")
        params["week"] = filters.end - WEEK + dt.timedelta(days=1)
        return self.query(
            f"SELECT country_pair, "
            f"SUM(CASE WHEN date >= @week THEN stories ELSE 0 END) AS this_week, "
            f"SUM(CASE WHEN date < @week THEN stories ELSE 0 END) AS last_week, "
            f"SUM(CASE WHEN date >= @week THEN clusters ELSE 0 END) AS clusters "
            f"FROM {self._counts_source(filters)} WHERE {where} AND country_pair IS NOT NULL "
            f"GROUP BY country_pair ORDER BY this_week DESC, country_pair LIMIT {int(limit)}",
            params)

    def matrix(self, filters: Filters) -> list[dict]:
        """Stories per pair and topic over the range (the pair × topic matrix)."""
        return self._stories_by(filters, ("country_pair", "topic"))

    def relations(self, filters: Filters) -> list[dict]:
        """The chosen pair's days: stories, those with a relation, their shares of cooperation
        and conflict and mean score (none without a pair)."""
        if not filters.pair:
            return []
        return self.query(
            f"SELECT date, stories, related, cooperation_share, conflict_share, mean_score "
            f"FROM {self.table(RELATIONS_VIEW_NAME)} WHERE country_pair = @pair "
            f"AND date BETWEEN @start AND @end ORDER BY date",
            {"pair": filters.pair, "start": filters.start, "end": filters.end})

    def recent(self, filters: Filters, limit: int = 50) -> list[dict]:
        where, params = self._where(filters, STORY_DATE_SQL)
        if filters.outlet:
            where += " AND source = @outlet"
        return self.query(f"SELECT published_at, source, title, url, country_pair, topic FROM "
                          f"{self.table(STORIES.name)} WHERE {where} "
                          f"ORDER BY published_at DESC LIMIT {int(limit)}", params)

    def choices(self) -> dict[str, list[str]]:
        """Values the filter menus offer."""
        table = self.table(STORIES.name)
        pick = lambda column: [r["v"] for r in self.query(  # noqa: E731
            f"SELECT DISTINCT {column} AS v FROM {table} WHERE {column} IS NOT NULL "
            f"ORDER BY 1", {})]
        return {"pair": pick("country_pair"), "topic": pick("topic"), "outlet": pick("source")}
