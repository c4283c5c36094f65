"""The `newsdesk` command: demo, scrape, extract, reprocess, stats, export, search, report, serve-sample, settings."""

from __future__ import annotations

import asyncio
import dataclasses
import contextlib
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tasks.settings import DEFAULT_CONFIG_FILE, Settings, SettingsError, load_settings, setting_sources
from tasks.urls import UrlError

app = typer.Typer(
    name="newsdesk",
    help="Scrape news sites into DuckDB: clean article text, quotes with speakers, and named entities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: rich's panels cut option names to fit 80 columns (--allow-private-…) and read
    # "[default: x]" in help texts as markup and drop it.
    rich_markup_mode=None,
)
console = Console(stderr=True, soft_wrap=True)

def default_of(key: str) -> str:
    """A setting's default for a help text: options default to None so that the file and environment apply, and
    the default shown comes from Settings, its one owner."""
    return f"[default: {Settings.model_fields[key].default}]"


DbOption = Annotated[
    Optional[Path], typer.Option("--db", metavar="PATH", help=f"DuckDB file {default_of('db_path')}")
]
DataDirOption = Annotated[
    Optional[Path],
    typer.Option("--data-dir", metavar="DIR", help=f"folder for the WARC archive {default_of('data_dir')}"),
]

EXAMPLE_QUERIES = (
    "SELECT speaker, quotes, articles FROM top_speakers ORDER BY quotes DESC LIMIT 5;",
    "SELECT published_day, speaker, left(quote, 60) AS quote, title FROM quotes_with_context\n"
    "  WHERE kind <> 'scare' ORDER BY published_day DESC LIMIT 10;",
)


def fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {escape(message)}")  # escaped: a "[default: x]" in a message is text
    raise typer.Exit(2)


def print_summary(summary: object) -> None:
    from flows.report import RunSummary

    assert isinstance(summary, RunSummary)
    colour = "green" if summary.status == "completed" else "red"
    console.print(
        f"[{colour}]{summary.flow} run {summary.status}[/] in {summary.seconds:.1f} s: "
        f"{summary.articles} articles, {summary.quotes} quotes, {summary.entities} entity mentions loaded "
        f"into {summary.db_path}"
    )
    if summary.counts:
        console.print("URLs by outcome: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())))
    if summary.analysis_notes:
        console.print("Analysis notes: " + ", ".join(f"{n} articles: {k}" for k, n in sorted(summary.analysis_notes.items())))
    for url, reason in summary.failures[:10]:
        console.print(f"  [yellow]failed[/] {url}: {reason}")
    not_shown = summary.counts.get("failed", 0) - min(len(summary.failures), 10)
    if summary.failures and not_shown > 0:
        console.print(
            f"  ...and {not_shown} more failed: SELECT url, reason FROM fetch_log WHERE run_id = '{summary.run_id}' "
            "AND outcome = 'failed'", markup=False, highlight=False,
        )
    if summary.message:
        console.print(f"[{'red' if summary.status == 'failed' else 'yellow'}]{summary.status}:[/] {summary.message}")


def refuse_if_busy(settings: Settings) -> None:
    """Stop with one line, before Prefect starts, when another run holds the database: inside the flow the same
    refusal would come after the temporary server's start-up and wrapped in the flow run's traceback. The flow
    takes the lock again for the run itself (a run started in the moment between is refused there)."""
    from warehouse.db import DatabaseBusyError, writer_lock

    try:
        with writer_lock(settings.db_path, settings.lock_timeout_seconds):
            pass
    except DatabaseBusyError as exc:
        fail(str(exc))


def run_or_exit_1(run: Callable[[], object]) -> object:
    """Run a scrape or reprocess flow; one in which nothing could be loaded prints its report and exits 1
    (documented rule), and so does one stopped by a full disk, in one line naming the path."""
    from flows.report import NothingLoadedError
    from tasks.disk import DiskFullError

    try:
        return run()
    except DiskFullError as exc:
        console.print(
            f"[red]failed:[/] {exc}. Whole batches are loaded and the archive holds whole records only: free "
            "space there and run again to finish the work.", highlight=False,
        )
        raise typer.Exit(1) from None
    except NothingLoadedError as exc:
        if exc.summary is not None:
            print_summary(exc.summary)
        else:
            console.print(f"[red]failed:[/] {exc}")
        raise typer.Exit(1) from None


@app.command()
def scrape(
    feed: Annotated[list[str], typer.Option("--feed", metavar="URL", help="RSS or Atom feed URL (repeatable)")] = [],
    sitemap: Annotated[
        list[str], typer.Option("--sitemap", metavar="URL", help="XML sitemap or sitemap index URL (repeatable)")
    ] = [],
    urls: Annotated[
        list[Path], typer.Option("--urls", metavar="FILE", help="file with one article URL a line (repeatable)")
    ] = [],
    url: Annotated[list[str], typer.Option("--url", metavar="URL", help="an article URL to fetch (repeatable)")] = [],
    sources: Annotated[
        Optional[Path], typer.Option("--sources", metavar="FILE", help="sources.yaml listing sources")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
    allow_private_hosts: Annotated[
        Optional[bool],
        typer.Option("--allow-private-hosts/--no-allow-private-hosts", help="fetch from loopback/private addresses"),
    ] = None,
    max_urls: Annotated[
        Optional[int], typer.Option("--max-urls", min=1, metavar="N", help="stop after this many URLs")
    ] = None,
    batch_size: Annotated[
        Optional[int],
        typer.Option("--batch-size", min=1, max=2000, metavar="N", help=f"pages per task {default_of('batch_size')}"),
    ] = None,
    dask_address: Annotated[
        Optional[str],
        typer.Option(
            "--dask-address", metavar="ADDRESS",
            help="run extraction, quotes and entities on this Dask scheduler (tcp://host:8786)",
        ),
    ] = None,
    dask_local: Annotated[
        Optional[int],
        typer.Option(
            "--dask-local", min=1, metavar="N",
            help="run extraction, quotes and entities on a local Dask cluster of N processes",
        ),
    ] = None,
    analyze_batch_size: Annotated[
        Optional[int],
        typer.Option("--analyze-batch-size", min=1, metavar="N", help="pages per analyse task on Dask [default: 200]"),
    ] = None,
) -> None:
    """Discover article URLs from feeds, sitemaps, lists and a sources file; fetch, extract and load them."""
    if not (feed or sitemap or urls or url or sources):
        fail("nothing to scrape: give --feed URL, --sitemap URL, --urls FILE, --url URL or --sources FILE")
    if dask_address and dask_local:
        fail("give --dask-address or --dask-local, not both")
    for path in [*urls, *([sources] if sources else [])]:
        if not path.is_file():
            fail(f"{path} is not a file")
    settings = check_settings(db_path=db, data_dir=data_dir, batch_size=batch_size)
    from tasks.nlp import Pipelines
    from warehouse.db import create_if_missing

    Pipelines.from_settings(settings).check_installed()  # a missing model stops the run before it starts
    refuse_if_busy(settings)
    from flows.runtime import dask_task_runner, prefect_api_for_workers, scheduler_problem
    from flows.scrape import build_sources
    from flows.scrape import scrape as scrape_flow
    from tasks.sources import SourcesError

    try:  # fail fast, before Prefect starts, on a bad sources file or flag
        build_sources(feed, sitemap, url, str(sources) if sources else None)
    except SourcesError as exc:
        fail(str(exc))

    on_dask = bool(dask_address or dask_local)
    if dask_address and (problem := scheduler_problem(dask_address)):
        fail(problem)
    if on_dask:
        scrape_flow = scrape_flow.with_options(task_runner=dask_task_runner(dask_address, dask_local))
    create_if_missing(settings.db_path)  # readers find a database from here on, not "does not exist"
    with prefect_api_for_workers() if on_dask else contextlib.nullcontext():
        summary = run_or_exit_1(lambda: scrape_flow(
            feeds=feed, sitemaps=sitemap, urls=url, url_files=[str(p) for p in urls],
            sources_file=str(sources) if sources else None, db_path=str(db) if db else None,
            data_dir=str(data_dir) if data_dir else None, allow_private_hosts=allow_private_hosts,
            max_urls=max_urls, batch_size=batch_size, analyze_batch_size=analyze_batch_size,
        ))
    print_summary(summary)


class OutputFormat(str, Enum):
    """How `extract` and `search` print their results."""

    jsonl = "jsonl"
    pretty = "pretty"


@app.command()
def extract(
    inputs: Annotated[
        list[str], typer.Argument(metavar="INPUT", help="saved HTML/text files or http(s) URLs", show_default=False)
    ],
    url: Annotated[Optional[str], typer.Option("--url", help="the page's URL, for a single saved file")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="jsonl: one object a line")] = OutputFormat.jsonl,
    allow_private_hosts: Annotated[bool, typer.Option("--allow-private-hosts", help="fetch loopback URLs")] = False,
    model: Annotated[Optional[str], typer.Option("--model", help="spaCy model package")] = None,
) -> None:
    """Show what newsdesk makes of pages: one JSON object per input with text, metadata, quotes and entities.

    Output keys (stable): input, url, title, authors, published, language, text, quotes [{quote, speaker}],
    entities [{name, label}]; an input that fails gives {input, error} and the exit code is 1.
    """
    if url is not None and len(inputs) != 1:
        fail("--url goes with a single input")
    settings = check_settings(allow_private_hosts=allow_private_hosts or None, spacy_model=model)
    failed = False
    for result in extract_inputs(inputs, settings, url):
        failed = failed or "error" in result
        if output_format is OutputFormat.jsonl:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()
    if failed:
        raise typer.Exit(1)


def extract_inputs(inputs: list[str], settings: Settings, url: str | None) -> Iterator[dict[str, object]]:
    """Read or fetch each input and report it; one input's failure is its own error object."""
    from tasks.analyze import analyze_documents, page_report
    from tasks.nlp import Pipelines
    from tasks.extract import extract_document, extract_text_page
    from tasks.charset import decode_html
    from tasks.fetch import fetch_pages

    nlp = Pipelines.from_settings(settings)
    nlp.for_language("en")  # a missing English model is one clear error before any input is read
    live = [item for item in inputs if item.startswith(("http://", "https://"))]
    fetched = dict(zip(live, asyncio.run(fetch_pages(live, settings)), strict=True)) if live else {}
    for item in inputs:
        try:
            if item in fetched:
                page = fetched[item]
                if page.outcome != "loaded" or page.text is None:
                    yield {"input": item, "error": f"fetch {page.outcome}: {page.reason}"}
                    continue
                document = extract_document(page.text, page.final_url)
            elif problem := input_problem(item):
                yield {"input": item, "error": problem}
                continue
            else:
                path = Path(item)
                raw = path.read_bytes()
                if path.suffix.lower() in {".txt", ".text"}:
                    document = extract_text_page(raw.decode("utf-8", errors="replace"), url)
                else:
                    document = extract_document(decode_html(raw, None)[0], url)
            (analysis,) = analyze_documents([document], nlp, settings.nlp_max_chars)
            yield {"input": item, **page_report(analysis)}
        except (OSError, UrlError) as exc:
            yield {"input": item, "error": str(exc)}
        except Exception as exc:  # a bug in extraction: this input's error object, the other inputs go on
            logging.getLogger(__name__).exception("extraction error on %s", item)
            yield {"input": item, "error": f"extraction error: {type(exc).__name__}: {exc}"}


URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
HOST_FIRST = re.compile(r"^(www\.|[\w-]+(\.[\w-]+)+(:\d+)?/)")  # example.com/story.html, www.example.com


def input_problem(item: str) -> str | None:
    """Why an `extract` input that is not an http(s) URL is neither that nor a saved file, saying what was
    expected; None when it names an existing path (read errors are reported as they happen)."""
    expected = "expected a saved HTML or text file, or an http:// or https:// URL"
    if URL_SCHEME.match(item):
        return f"unsupported URL scheme {item.split('://', 1)[0]!r} in {item!r}: {expected}"
    if Path(item).exists():
        return None
    hint = f"; to fetch it, give the URL with its scheme: 'https://{item}'" if HOST_FIRST.match(item) else ""
    return f"No such file {item!r} ({expected}){hint}"


@app.command()
def reprocess(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Re-extract every stored article from the raw WARC archive (no network) and reload derived tables."""
    settings = check_settings(db_path=db, data_dir=data_dir)
    if not settings.db_path.exists():
        fail(f"no database at {settings.db_path}: run `newsdesk scrape` or `newsdesk demo` first")
    refuse_if_busy(settings)
    from flows.reprocess import reprocess as reprocess_flow

    print_summary(run_or_exit_1(lambda: reprocess_flow(db_path=str(settings.db_path), data_dir=str(settings.data_dir))))


@app.command()
def stats(
    db: DbOption = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="how many recent runs to list")] = 5,
) -> None:
    """Counts per table, per source and per day, and the last runs with their outcomes."""
    from warehouse.db import SchemaVersionError, check_schema_is_known, connect_readonly
    from warehouse.stats import report

    settings = check_settings(db_path=db)
    try:
        con = connect_readonly(settings.db_path, retry_seconds=30)
    except FileNotFoundError as exc:
        fail(str(exc))
    with con:
        try:
            check_schema_is_known(con, settings.db_path)
        except SchemaVersionError as exc:
            fail(str(exc))
        sections = report(con, runs)
    out = Console()
    for section in sections:
        table = Table(title=section.title, title_justify="left")
        for column in section.columns:
            table.add_column(column)
        for row in section.rows:
            table.add_row(*("" if value is None else str(value) for value in row))
        out.print(table)


class ExportFormat(str, Enum):
    parquet = "parquet"


@app.command()
def export(
    export_format: Annotated[ExportFormat, typer.Option("--format", help="file format")] = ExportFormat.parquet,
    db: DbOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="output folder [default: data/export]")] = None,
    table: Annotated[list[str], typer.Option("--table", help="export only this table (repeatable)")] = [],
) -> None:
    """Write the tables as Parquet partitioned by day (out/<table>/day=YYYY-MM-DD/), for engines beyond DuckDB."""
    from warehouse.export import ExportError, export_parquet

    settings = check_settings(db_path=db)
    target = out or settings.data_dir / "export"
    try:
        exported = export_parquet(settings.db_path, target, table or None)
    except ExportError as exc:
        fail(str(exc))
        return
    out_console = Console()
    summary = Table(title=f"{export_format.value} export of {settings.db_path} to {target}", title_justify="left")
    for column in ("table", "rows", "days", "folder"):
        summary.add_column(column)
    for item in exported:
        summary.add_row(item.table, str(item.rows), str(item.days), str(item.path))
    out_console.print(summary)
    out_console.print(
        f"Query: duckdb -c \"SELECT day, COUNT(*) FROM read_parquet('{target}/articles/*/*.parquet', "
        "hive_partitioning = true) GROUP BY day ORDER BY day\"",
        highlight=False, markup=False,
    )


@app.command()
def demo(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Serve the bundled sample news site on 127.0.0.1, scrape it over HTTP into DuckDB, and print a summary."""
    from flows.scrape import scrape as scrape_flow
    from flows.site_server import SiteServer, write_sample_sources
    from warehouse.db import connect_readonly
    from warehouse.stats import table_counts, top_speakers

    settings = check_settings(db_path=db, data_dir=data_dir)
    refuse_if_busy(settings)
    with SiteServer() as site:
        console.print(f"Serving the sample site at {site.base_url}")
        sources_file = write_sample_sources(site.base_url, settings.data_dir / "demo-sources.yaml")
        summary = run_or_exit_1(lambda: scrape_flow(
            sources_file=str(sources_file), db_path=str(settings.db_path), data_dir=str(settings.data_dir),
            allow_private_hosts=True,
        ))
    print_summary(summary)
    with connect_readonly(settings.db_path) as con:
        counts = table_counts(con)
        speakers = top_speakers(con)
    out = Console(soft_wrap=True)
    out.print(
        f"\n[bold]{settings.db_path}[/] now holds {counts['articles']} articles, {counts['quotes']} quotes and "
        f"{counts['entities']} entities ({counts['entity_mentions']} article-entity links)."
    )
    if speakers:
        out.print("Top speakers: " + ", ".join(f"{name} ({n})" for name, n in speakers))
    out.print(
        f"\nTry it: [bold]pip install duckdb-cli[/] (any DuckDB from 1.4 on reads the file), "
        f"[bold]duckdb -readonly {settings.db_path}[/] (or duckdb.connect(..., read_only=True)), then"
    )
    for query in EXAMPLE_QUERIES:
        out.print(f"  {query}", highlight=False)
    out.print(f"Search it: [bold]newsdesk search WORDS --db {settings.db_path}[/]; see it: "
              f"[bold]newsdesk report --db {settings.db_path}[/] (writes {settings.data_dir / 'report.html'})")


@app.command("serve-sample")
def serve_sample(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port on 127.0.0.1")] = 8765,
    sources_out: Annotated[
        Path, typer.Option("--sources-out", help="where to write the sources file for the served site")
    ] = Path("data/sample-sources.yaml"),
) -> None:
    """Serve the bundled sample news site on 127.0.0.1 until stopped, and write a sources file pointing at it
    (the deployment recipe in the README scrapes it)."""
    import time

    from flows.site_server import SiteServer, write_sample_sources

    try:
        site = SiteServer(port=port)
    except OSError as exc:
        fail(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}; pick another --port")
        return
    with site:
        write_sample_sources(site.base_url, sources_out)
        console.print(f"Serving the sample site at {site.base_url}; its sources file is {sources_out}. "
                      "Ctrl-C or kill stops it.", highlight=False)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@app.command("settings")
def show_settings() -> None:
    """Print every setting with its current value, where that value came from (default, settings file,
    environment or flag), and what it is for."""
    settings = check_settings()
    sources = setting_sources()
    out = Console(highlight=False)
    out.print(
        "Each setting's value and where it came from: a flag beats NEWSDESK_<KEY> in the environment, which beats "
        f"the settings file ({os.environ.get('NEWSDESK_CONFIG', DEFAULT_CONFIG_FILE)}; NEWSDESK_CONFIG names "
        "another), which beats the default.\n", markup=False,
    )
    for key, info in Settings.model_fields.items():  # one block a key: nothing cut at 80 columns, as a table would
        out.print(f"{key} = {getattr(settings, key)}  ({sources[key]})", markup=False)
        out.print(f"    {info.description}", markup=False, style="dim")


def check_settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


def main() -> None:
    """Console-script entry point: errors a user can fix print as one line, not a traceback."""
    from tasks.discover import DiscoveryError
    from tasks.nlp import ModelNotInstalledError
    from tasks.sources import SourcesError
    from warehouse.db import DatabaseBusyError, SchemaVersionError

    try:
        app()
    except (
        SettingsError, SourcesError, DatabaseBusyError, SchemaVersionError, DiscoveryError, ModelNotInstalledError,
        UrlError, ValueError,
    ) as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        sys.exit(2)



# --- analysts: search and report -------------------------------------------------------------------------------

SinceOption = Annotated[
    Optional[str], typer.Option("--since", help="only articles published (else fetched) on or after this date, YYYY-MM-DD")
]
SourceOption = Annotated[Optional[str], typer.Option("--source", help="only articles of this source")]


def parse_since(since: str | None) -> date | None:
    """A --since value as a date; anything else is a one-line error, not a traceback."""

    if since is None:
        return None
    try:
        return date.fromisoformat(since.strip())
    except ValueError:
        fail(f"--since must be a date like 2026-11-29, not {since!r}")
        raise  # unreachable


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(metavar="WORDS", help="words to look for (plain words; no operators)", show_default=False)
    ],
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="how many articles")] = 10,
    source: SourceOption = None,
    since: SinceOption = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="jsonl: one object a line, for scripts")] = OutputFormat.pretty,
    reindex: Annotated[bool, typer.Option("--reindex", help="rebuild the search index first")] = False,
) -> None:
    """Articles ranked by relevance (BM25, title weighted above body), with a snippet of where the words are."""
    from warehouse.reading import NotReadableError, open_for_analysis
    from warehouse.search import SearchError, search as run_search

    settings = check_settings(db_path=db)
    since_day = parse_since(since)
    if not query.strip():
        fail("give words to search for")
    try:
        with open_for_analysis(settings.db_path, need_index=True, reindex=reindex) as con:
            hits = run_search(con, query, limit=limit, source=source, since=since_day)
    except (NotReadableError, SearchError) as exc:
        fail(str(exc))
        return
    if output_format is OutputFormat.jsonl:
        for hit in hits:
            sys.stdout.write(json.dumps(dataclasses.asdict(hit), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    if not hits:
        console.print(f"no articles match {query!r}")
        return
    from rich.text import Text

    out = Console(soft_wrap=True)
    for hit in hits:
        out.print(Text.assemble((f"{hit.rank}. {hit.title or '(no title)'}", "bold"),
                                f"  {hit.source or '-'}, {hit.published or 'no date'}, score {hit.score:.2f}"))
        out.print(Text(f"   {hit.url}", style="cyan"))
        snippet = Text("   " + hit.snippet)
        for start, end in hit.highlights:
            snippet.stylize("bold yellow", start + 3, end + 3)
        out.print(snippet)


@app.command()
def report(
    db: DbOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="HTML file to write [default: data/report.html]")] = None,
    since: SinceOption = None,
    source: SourceOption = None,
) -> None:
    """Write one self-contained HTML file: articles per day and source, run outcomes, top speakers and entities
    with their trend per day, and the latest quotes."""
    from warehouse.reading import NotReadableError, open_for_analysis
    from warehouse.report import ReportFilter, build_report

    settings = check_settings(db_path=db)
    since_day = parse_since(since)
    target = out or settings.data_dir / "report.html"
    try:
        with open_for_analysis(settings.db_path) as con:
            page = build_report(con, ReportFilter(source=source, since=since_day), str(settings.db_path))
    except NotReadableError as exc:
        fail(str(exc))
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write the report to {target}: {exc}")
    console.print(f"wrote {target} ({len(page) // 1024} KB); open it in a browser")
