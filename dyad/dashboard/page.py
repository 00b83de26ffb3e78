"""The dashboard page: Vega-Lite charts (built with Altair, drawn to SVG on the server by
vl-convert, so the page needs no script and no network) and HTML tables, from data.py's panels."""
from __future__ import annotations

import datetime as dt
from html import escape
from urllib.parse import urlencode

import altair as alt
import vl_convert

from dyad.dashboard.data import Filters, Warehouse

MATRIX_PAIRS = 15
STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:1200px}
h1{font-size:1.4rem;margin:0 0 .5rem} h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
form{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end;background:#f4f4f4;padding:.7rem}
label{display:flex;flex-direction:column;font-size:.8rem}
table{border-collapse:collapse;font-size:.9rem} td,th{padding:.25rem .6rem;text-align:left}
tr:nth-child(even){background:#f7f7f7} .up{color:#1a7f37} .down{color:#b42318}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem} .empty{color:#777}
"""


def render(warehouse: Warehouse, filters: Filters) -> str:
    filters = warehouse.with_dates(filters)
    daily = warehouse.daily(filters)
    return "".join([
        "<!doctype html><html><head><meta charset='utf-8'><title>dyad — news by country pair",
        f"</title><style>{STYLE}</style></head><body><h1>dyad: stories by country pair and "
        f"topic</h1>{_form(filters, warehouse.choices())}",
        "<h2>Stories per day by topic</h2>",
        f"<figure id='daily-chart'>{_daily_chart(daily)}</figure>",
        "<div class='grid'><section><h2>Top pairs this week</h2>",
        _top_pairs(warehouse.top_pairs(filters), filters),
        "</section><section><h2>Pair × topic</h2>",
        f"<figure id='matrix-chart'>{_matrix_chart(warehouse.matrix(filters))}</figure>",
        "</section></div>",
        _relations(warehouse.relations(filters), filters),
        "<h2>Recent stories</h2>",
        _recent(warehouse.recent(filters)),
        "</body></html>",
    ])


def _form(filters: Filters, choices: dict) -> str:
    def select(name: str, label: str) -> str:
        current = getattr(filters, name)
        options = "".join(f"<option value='{escape(v)}'{' selected' if v == current else ''}>"
                          f"{escape(v)}</option>" for v in choices[name])
        return (f"<label>{label}<select name='{name}'><option value=''>all</option>{options}"
                f"</select></label>")
    return ("<form method='get' action='/'>"
            f"<label>From<input type='date' name='start' value='{filters.start}'></label>"
            f"<label>To<input type='date' name='end' value='{filters.end}'></label>"
            f"{select('pair', 'Pair')}"
            f"<label>Country<input name='country' size='5' placeholder='IRN' "
            f"value='{escape(filters.country)}'></label>"
            f"{select('topic', 'Topic')}{select('outlet', 'Outlet')}"
            "<button type='submit'>Show</button></form>")


def _svg(chart: alt.Chart) -> str:
    return vl_convert.vegalite_to_svg(chart.to_dict())


def _daily_chart(rows: list[dict]) -> str:
    if not rows:
        return "<p class='empty'>No stories in this range.</p>"
    values = [{"date": str(r["date"]), "topic": r["topic"], "stories": int(r["stories"])}
              for r in rows]
    return _svg(alt.Chart(alt.Data(values=values)).mark_bar().encode(
        x=alt.X("date:T", title=None, timeUnit="yearmonthdate"),
        y=alt.Y("stories:Q", title="stories", stack="zero"),
        color=alt.Color("topic:N", legend=alt.Legend(title="topic")),
        tooltip=["date:T", "topic:N", "stories:Q"],
    ).properties(width=900, height=240))


def _matrix_chart(rows: list[dict]) -> str:
    if not rows:
        return "<p class='empty'>No pairs in this range.</p>"
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["country_pair"]] = totals.get(r["country_pair"], 0) + int(r["stories"])
    pairs = sorted(totals, key=lambda p: (-totals[p], p))[:MATRIX_PAIRS]
    values = [{"pair": r["country_pair"], "topic": r["topic"], "stories": int(r["stories"])}
              for r in rows if r["country_pair"] in pairs]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("topic:N", title=None), y=alt.Y("pair:N", title=None, sort=pairs))
    return _svg((base.mark_rect().encode(color=alt.Color("stories:Q", legend=None))
                 + base.mark_text(fontSize=10).encode(text="stories:Q"))
                .properties(width=380, height=18 * len(pairs)))


def _relations(rows: list[dict], filters: Filters) -> str:
    """The chosen pair's mean relation score per day (-10 war to +10), each day's point sized by
    its stories with a relation, over the shares of cooperation and conflict."""
    title = f"<h2>Cooperation and conflict{': ' + escape(filters.pair) if filters.pair else ''}</h2>"
    if not filters.pair:
        return title + "<p class='empty'>Choose a pair to see how it leans.</p>"
    days = [r for r in rows if int(r["related"] or 0)]
    if not days:
        return title + "<p class='empty'>No story of this pair has a relation in this range.</p>"
    values = [{"date": str(r["date"]), "score": float(r["mean_score"]),
               "related": int(r["related"]), "cooperation": float(r["cooperation_share"]),
               "conflict": float(r["conflict_share"])} for r in days]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("date:T", title=None, timeUnit="yearmonthdate"))
    line = base.mark_line(point=True).encode(
        y=alt.Y("score:Q", title="mean score", scale=alt.Scale(domain=[-10, 10])),
        size=alt.Size("related:Q", legend=alt.Legend(title="stories with a relation")),
        tooltip=["date:T", "score:Q", "related:Q", "cooperation:Q", "conflict:Q"])
    zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(color="#999").encode(y="y:Q")
    return title + f"<figure id='relations-chart'>{_svg((zero + line).properties(width=900, height=200))}</figure>"


def _top_pairs(rows: list[dict], filters: Filters) -> str:
    if not rows:
        return "<p class='empty'>No pairs this week.</p>"
    lines = []
    for r in rows:
        change = int(r["this_week"]) - int(r["last_week"])
        css = "up" if change > 0 else "down" if change < 0 else ""
        link = "/?" + urlencode({"pair": r["country_pair"], "start": filters.start,
                                 "end": filters.end})
        lines.append(f"<tr><td><a href='{escape(link)}'>{escape(r['country_pair'])}</a></td>"
                     f"<td>{int(r['this_week'])}</td><td>{int(r['last_week'])}</td>"
                     f"<td class='{css}'>{change:+d}</td><td>{int(r['clusters'])}</td></tr>")
    return ("<table id='top-pairs'><tr><th>pair</th><th>this week</th><th>last week</th>"
            "<th>change</th><th title='same-story clusters this week'>clusters</th></tr>"
            f"{''.join(lines)}</table>")


def _recent(rows: list[dict]) -> str:
    if not rows:
        return "<p class='empty'>No stories match.</p>"
    lines = [f"<tr><td>{_when(r['published_at'])}</td><td>{escape(r['source'] or '')}</td>"
             f"<td>{_link(r['url'], r['title'] or r['url'])}</td>"
             f"<td>{escape(r['country_pair'] or '')}</td><td>{escape(r['topic'] or '')}</td></tr>"
             for r in rows]
    return ("<table id='recent'><tr><th>published (UTC)</th><th>outlet</th><th>title</th>"
            f"<th>pair</th><th>topic</th></tr>{''.join(lines)}</table>")


def _link(url: str, text: str) -> str:
    """Only http(s) links: a feed is untrusted, and a javascript: URL must not become a link."""
    if not url.lower().startswith(("http://", "https://")):
        return escape(text)
    return f"<a href='{escape(url)}' rel='noopener noreferrer'>{escape(text)}</a>"


def _when(value) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    return escape(str(value or ""))
