"""`newsdesk report`: one self-contained HTML file (charts as inline SVG drawn by matplotlib, no script, no
request to another host) with what a database holds over a period. Every figure comes from the analyst views
(002, 006), so the report and an analyst's SQL agree."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import duckdb

TOP_N = 10
LATEST_QUOTES = 20
RUNS_SHOWN = 12
ENTITY_GROUPS = (("People", ("PERSON",)), ("Organisations", ("ORG",)), ("Places", ("GPE", "LOC")))
OUTCOME_COLOURS = {
    "loaded": "#2e7d32", "unchanged": "#81c784", "duplicate": "#90a4ae", "robots": "#ffb300",
    "skipped": "#bdbdbd", "failed": "#c62828",
}


@dataclass(frozen=True)
class ReportFilter:
    source: str | None = None
    since: date | None = None

    def params(self) -> dict[str, object]:
        return {"source": self.source, "since": self.since}


@dataclass
class Ranked:
    """A top-N row with its counts per day over the report's days (for the trend line)."""

    name: str
    total: int
    articles: int
    per_day: dict[date, int] = field(default_factory=dict)


@dataclass
class ReportData:
    db_label: str
    filter: ReportFilter
    days: list[date]
    articles_per_day: list[tuple[date, str, int]]  # (day, source, articles)
    total_articles: int
    total_quotes: int
    runs: list[tuple[str, str, datetime, str, dict[str, int]]]  # (run_id, flow, started_at, status, outcome -> urls)
    failure_reasons: list[tuple[str, int, int]]  # (reason, urls, runs)
    speakers: list[Ranked]
    entities: dict[str, list[Ranked]]
    latest_quotes: list[tuple[date | None, str, str, str | None, str]]  # (day, speaker, quote, title, url)


def collect(con: duckdb.DuckDBPyConnection, flt: ReportFilter, db_label: str) -> ReportData:
    p = flt.params()
    per_day = con.execute(
        """
        SELECT day, COALESCE(source, '(none)'), SUM(articles)::BIGINT FROM articles_per_day
        WHERE ($source IS NULL OR source = $source) AND ($since IS NULL OR day >= $since)
        GROUP BY ALL ORDER BY 1, 2
        """,
        p,
    ).fetchall()
    total_quotes = con.execute(
        """
        SELECT COUNT(*) FROM quotes_with_context
        WHERE kind <> 'scare' AND ($source IS NULL OR source = $source)
          AND ($since IS NULL OR published_day >= $since)
        """,
        p,
    ).fetchone()[0]
    days = day_range([d for d, _, _ in per_day], flt.since)

    run_rows = con.execute(
        """
        WITH recent AS (
            SELECT DISTINCT run_id, started_at FROM run_outcomes_by_source
            WHERE ($source IS NULL OR source = $source) AND ($since IS NULL OR started_at >= $since)
            ORDER BY started_at DESC LIMIT $runs
        )
        SELECT o.run_id, o.flow, o.started_at, o.status, o.outcome, SUM(o.urls)::BIGINT
        FROM run_outcomes_by_source o JOIN recent USING (run_id)
        WHERE o.kind = 'article' AND ($source IS NULL OR o.source = $source)
        GROUP BY ALL ORDER BY o.started_at, o.outcome
        """,
        {**p, "runs": RUNS_SHOWN},
    ).fetchall()
    runs: dict[str, tuple[str, str, datetime, str, dict[str, int]]] = {}
    for run_id, flow, started, status, outcome, urls in run_rows:
        runs.setdefault(run_id, (run_id, flow, started, status, {}))[4][outcome] = int(urls)

    reasons = con.execute(
        """
        SELECT COALESCE(reason, 'no reason recorded'), SUM(urls)::BIGINT, COUNT(DISTINCT run_id)
        FROM fetch_failure_reasons
        WHERE ($source IS NULL OR source = $source) AND ($since IS NULL OR started_at >= $since)
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $n
        """,
        {**p, "n": TOP_N},
    ).fetchall()

    speakers = ranked(
        con,
        """
        SELECT speaker AS name, published_day AS day, COUNT(*) AS total, COUNT(DISTINCT article_id) AS articles
        FROM quotes_with_context
        WHERE speaker_label IS NOT NULL AND kind <> 'scare' AND ($source IS NULL OR source = $source)
          AND ($since IS NULL OR published_day >= $since)
        GROUP BY ALL
        """,
        p,
    )
    entities = {}
    for title, labels in ENTITY_GROUPS:
        entities[title] = ranked(
            con,
            """
            SELECT name, day, SUM(mentions)::BIGINT AS total, SUM(articles)::BIGINT AS articles
            FROM entity_counts_per_day_by_source
            WHERE list_contains($labels, label) AND ($source IS NULL OR source = $source)
              AND ($since IS NULL OR day >= $since)
            GROUP BY ALL
            """,
            {**p, "labels": list(labels)},
        )
    latest = con.execute(
        """
        SELECT published_day, speaker, quote, title, url FROM quotes_with_context
        WHERE kind <> 'scare' AND ($source IS NULL OR source = $source)
          AND ($since IS NULL OR published_day >= $since)
        ORDER BY published DESC NULLS LAST, article_id, ordinal LIMIT $n
        """,
        {**p, "n": LATEST_QUOTES},
    ).fetchall()
    return ReportData(
        db_label=db_label, filter=flt, days=days, articles_per_day=[(d, s, int(n)) for d, s, n in per_day],
        total_articles=sum(int(n) for _, _, n in per_day), total_quotes=int(total_quotes),
        runs=list(runs.values()), failure_reasons=[(r, int(u), int(n)) for r, u, n in reasons],
        speakers=speakers, entities=entities,
        latest_quotes=[(d, s or "(unattributed)", q, t, u) for d, s, q, t, u in latest],
    )


def ranked(con: duckdb.DuckDBPyConnection, per_day_sql: str, params: dict[str, object]) -> list[Ranked]:
    """The TOP_N names by total from a (name, day, total, articles) query, with their per-day counts."""
    rows = con.execute(
        f"""
        WITH per_day AS ({per_day_sql}),
        top AS (
            SELECT name, SUM(total)::BIGINT AS total FROM per_day GROUP BY name ORDER BY total DESC, name LIMIT {TOP_N}
        )
        SELECT t.name, t.total, p.day, p.total::BIGINT, p.articles::BIGINT
        FROM top t JOIN per_day p USING (name) ORDER BY t.total DESC, t.name, p.day
        """,
        params,
    ).fetchall()
    out: dict[str, Ranked] = {}
    for name, total, day, day_total, articles in rows:
        item = out.setdefault(name, Ranked(name=name, total=int(total), articles=0))
        item.articles += int(articles)  # an article has one date, so its days do not overlap
        if day is not None:
            item.per_day[day] = item.per_day.get(day, 0) + int(day_total)
    return list(out.values())


def day_range(days: list[date], since: date | None) -> list[date]:
    if not days:
        return []
    first, last = since or min(days), max(days)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- rendering ---------------------------------------------------------------------------------------------------


def svg(figure: object, salt: str) -> str:
    """A matplotlib figure as inline SVG; the salt keeps ids unique between the charts of one page."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", transparent=True)  # type: ignore[attr-defined]
    plt.close(figure)  # type: ignore[arg-type]
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def chart_articles_per_day(data: ReportData) -> str:
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    sources = sorted({s for _, s, _ in data.articles_per_day})
    fig, ax = plt.subplots(figsize=(9, 3.2))
    bottom = [0] * len(data.days)
    index = {d: i for i, d in enumerate(data.days)}
    for source in sources:
        heights = [0] * len(data.days)
        for d, s, n in data.articles_per_day:
            if s == source:
                heights[index[d]] = n
        ax.bar(data.days, heights, bottom=bottom, label=source, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.set_ylabel("articles")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    fig.autofmt_xdate()
    ax.legend(title="source", fontsize=8, loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "articles-per-day")


def chart_runs(data: ReportData) -> str:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    outcomes = [o for o in OUTCOME_COLOURS if any(o in r[4] for r in data.runs)]
    outcomes += sorted({o for r in data.runs for o in r[4]} - set(outcomes))
    labels = [f"{started:%Y-%m-%d %H:%M} {flow} ({status})" for _, flow, started, status, _ in data.runs]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(data.runs) + 1.0))
    left = [0] * len(data.runs)
    for outcome in outcomes:
        widths = [r[4].get(outcome, 0) for r in data.runs]
        ax.barh(labels, widths, left=left, label=outcome, color=OUTCOME_COLOURS.get(outcome))
        left = [a + b for a, b in zip(left, widths)]
    ax.set_xlabel("article URLs")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, ncols=len(outcomes), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "runs")


def sparkline(values: list[int], salt: str) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.8, 0.35))
    xs = list(range(len(values)))
    ax.fill_between(xs, values, color="#90caf9", linewidth=0)
    ax.plot(xs, values, color="#1565c0", linewidth=1)
    ax.set_ylim(0, max(values + [1]) * 1.1)
    ax.set_xlim(0, max(len(values) - 1, 1))
    ax.axis("off")
    return svg(fig, salt)


def ranked_table(title: str, rows: list[Ranked], days: list[date], unit: str, key: str) -> str:
    if not rows:
        return f"<section><h3>{esc(title)}</h3><p class='empty'>none in this period</p></section>"
    body = "".join(
        f"<tr><td>{esc(r.name)}</td><td class='n'>{r.total}</td><td class='n'>{r.articles}</td>"
        f"<td class='trend'>{sparkline([r.per_day.get(d, 0) for d in days] or [0], f'{key}-{i}')}</td></tr>"
        for i, r in enumerate(rows)
    )
    first_last = f"{days[0]} to {days[-1]}" if days else ""
    return (
        f"<section><h3>{esc(title)}</h3><table class='ranked' data-table='{key}'>"
        f"<tr><th>name</th><th>{unit}</th><th>articles</th><th title='{first_last}'>per day</th></tr>{body}</table></section>"
    )


def link(url: str, title: str | None) -> str:
    """An article link; only http(s) URLs become links, since the URLs come from the pages scraped."""
    if url.startswith(("http://", "https://")):
        return f"<a href='{esc(url)}'>{esc(title or url)}</a>"
    return esc(title or url)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
.figures { display: flex; gap: 2em; } .figures div { font-size: 2em; font-weight: 600; }
.figures span { display: block; font-size: .45em; font-weight: 400; color: #666; }
table { border-collapse: collapse; margin: .5em 0; } td, th { padding: .2em .6em; text-align: left; vertical-align: middle; }
tr:nth-child(even) { background: #f6f6f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 1em 2em; }
table.ranked { width: 100%; } td.nowrap { white-space: nowrap; }
td.trend svg { width: 130px; height: 26px; display: block; } figure.chart { margin: 0; }
figure.chart svg { max-width: 100%; height: auto; } .empty { color: #888; } blockquote { margin: 0; }
"""


def render(data: ReportData, generated_at: datetime) -> str:
    flt = data.filter
    scope = ", ".join(
        x for x in (f"source {flt.source}" if flt.source else "all sources",
                    f"since {flt.since}" if flt.since else "all dates") if x
    )
    period = f"{data.days[0]} to {data.days[-1]}" if data.days else "no articles"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>newsdesk report: {esc(scope)}</title><style>{STYLE}</style></head><body>",
        f"<h1>newsdesk report</h1><p>{esc(data.db_label)}: {esc(scope)}; {esc(period)}. "
        f"Generated {generated_at:%Y-%m-%d %H:%M} UTC.</p>",
        "<div class='figures'>"
        f"<div>{data.total_articles}<span>articles</span></div>"
        f"<div>{data.total_quotes}<span>quotes (scare quotes left out)</span></div>"
        f"<div>{len(data.runs)}<span>runs shown</span></div></div>",
        "<h2>Articles per day and source</h2>",
        f"<figure class='chart' data-chart='articles-per-day'>{chart_articles_per_day(data)}</figure>"
        if data.articles_per_day else "<p class='empty'>no articles in this period</p>",
        "<h2>Fetch outcomes per run (article URLs)</h2>",
        f"<figure class='chart' data-chart='runs'>{chart_runs(data)}</figure>"
        if data.runs else "<p class='empty'>no runs in this period</p>",
        "<h3>Top failure reasons</h3>",
    ]
    if data.failure_reasons:
        parts.append(
            "<table data-table='failures'><tr><th>reason</th><th>URLs</th><th>runs</th></tr>"
            + "".join(f"<tr><td>{esc(r)}</td><td class='n'>{u}</td><td class='n'>{n}</td></tr>"
                      for r, u, n in data.failure_reasons)
            + "</table>"
        )
    else:
        parts.append("<p class='empty'>no failures in this period</p>")
    parts.append("<h2>Who is quoted, who is mentioned</h2><div class='grid'>")
    parts.append(ranked_table("Most quoted speakers", data.speakers, data.days, "quotes", "speakers"))
    for title, rows in data.entities.items():
        parts.append(ranked_table(f"Most mentioned: {title.lower()}", rows, data.days, "mentions", title.lower()))
    parts.append("</div><h2>Latest quotes</h2>")
    if data.latest_quotes:
        parts.append(
            "<table data-table='quotes'><tr><th>day</th><th>speaker</th><th>quote</th><th>article</th></tr>"
            + "".join(
                f"<tr><td class='nowrap'>{esc(d)}</td><td>{esc(s)}</td><td><blockquote>“{esc(q)}”</blockquote></td>"
                f"<td>{link(u, t)}</td></tr>"
                for d, s, q, t, u in data.latest_quotes
            )
            + "</table>"
        )
    else:
        parts.append("<p class='empty'>no quotes in this period</p>")
    parts.append("</body></html>\n")
    return "".join(parts)


def build_report(con: duckdb.DuckDBPyConnection, flt: ReportFilter, db_label: str) -> str:
    """The report's HTML for the articles and runs that match `flt`."""
    import matplotlib

    matplotlib.use("Agg")
    data = collect(con, flt, db_label)
    return render(data, datetime.now(timezone.utc))


def key_figures(con: duckdb.DuckDBPyConnection, run_id: str, db_label: str) -> list[dict[str, str]]:
    """The report's headline figures as rows (figure, value), for the Prefect artifact a run publishes."""
    data = collect(con, ReportFilter(), db_label)
    this_run = next((outcomes for rid, _, _, _, outcomes in data.runs if rid == run_id), {})

    def top(items: list[Ranked], n: int = 5) -> str:
        return ", ".join(f"{r.name} ({r.total})" for r in items[:n]) or "none"

    rows = [
        ("articles in the database", str(data.total_articles)),
        ("quotes (scare quotes left out)", str(data.total_quotes)),
        ("this run's article URLs", ", ".join(f"{k} {v}" for k, v in sorted(this_run.items())) or "none"),
        ("top failure reasons (all runs)", "; ".join(f"{r} ({u})" for r, u, _ in data.failure_reasons[:3]) or "none"),
        ("most quoted speakers", top(data.speakers)),
        *((f"most mentioned {title.lower()}", top(items)) for title, items in data.entities.items()),
        ("full report", f"newsdesk report --db {db_label}"),
    ]
    return [{"figure": figure, "value": value} for figure, value in rows]
