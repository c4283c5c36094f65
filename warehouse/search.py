"""Full-text search over articles with DuckDB's fts extension (BM25), for `newsdesk search` and analysts' SQL.

The extension comes from the `duckdb-extension-fts` package (extensions cannot be downloaded at run time), so it
is loaded from that package's file. The index lives in the database (schema `fts_main_articles`); it is rebuilt at
the end of every run that loads articles, and `search_index` records which articles it covered.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from tasks.disk import DiskFullError
from warehouse.db import connect, transaction

TITLE_WEIGHT = 2.0  # a term in the title counts twice a term in the body
SNIPPET_WORDS = 30
_WORD = re.compile(r"[^\W\d_]+")
_FINGERPRINT_SQL = (
    "SELECT COUNT(*), COALESCE(bit_xor(hash(article_id, content_hash, title)), 0)::UBIGINT FROM articles"
)


_DISK_FULL_EXIT = 75  # the child's exit status for a full disk, so the run stops as on any other full disk
log = logging.getLogger(__name__)


class SearchError(RuntimeError):
    """A search that cannot run, with what to do about it."""


@dataclass(frozen=True)
class SearchHit:
    rank: int
    score: float
    article_id: str
    title: str | None
    source: str | None
    published: str | None
    url: str
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # (start, end) of matched words in snippet


def fts_extension_path() -> Path:
    """The fts extension file shipped by duckdb-extension-fts for the installed DuckDB version."""
    try:
        import duckdb_extension_fts
    except ImportError as exc:
        raise SearchError("full-text search needs the duckdb-extension-fts package: run `uv sync`") from exc
    path = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.is_file():
        raise SearchError(
            f"duckdb-extension-fts has no build for DuckDB {duckdb.__version__} (looked for {path}); "
            "install the duckdb-extension-fts version equal to duckdb's"
        )
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"LOAD '{fts_extension_path()}'")


def index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = 'fts_main_articles' AND table_name = 'docs'"
        ).fetchone()[0]
    )


def index_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the index covers exactly the articles (ids, titles and texts) in the table now."""
    if not index_exists(con):
        return False
    built = con.execute("SELECT articles, fingerprint FROM search_index ORDER BY built_at DESC LIMIT 1").fetchone()
    return built is not None and tuple(built) == tuple(con.execute(_FINGERPRINT_SQL).fetchone())


def rebuild_index(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)build the BM25 index over title and text in one transaction; returns the articles indexed."""
    load_fts(con)
    count, fingerprint = con.execute(_FINGERPRINT_SQL).fetchone()
    with transaction(con):
        con.execute(
            "PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', "
            "stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
        )
        con.execute("DELETE FROM search_index")
        con.execute("INSERT INTO search_index VALUES (now(), ?, ?)", [count, fingerprint])
    return int(count)


def refresh_after_load(db_path: Path) -> int:
    """Called by a run (inside its writer lock) once its loads are done: the index then matches the tables.

    The rebuild runs in a child process of its own. fts builds the whole index at once, with memory that grows
    with the database (~210 MB more at 5,000 real articles), and in the run's process that came on top of the
    NLP models it holds, so the run's peak grew with the database (bench/results.md, "Issue 18: flat load and
    memory"); a child gives all of it back when it ends. Its errors (a full disk included) are raised here."""
    child = subprocess.run(
        [sys.executable, "-m", "warehouse.search", str(db_path)], capture_output=True, text=True, check=False
    )
    for line in child.stderr.splitlines() if child.returncode == 0 else []:
        log.warning("search index rebuild: %s", line)  # e.g. connect()'s "waiting for a reader" lines
    if child.returncode == _DISK_FULL_EXIT:
        raise DiskFullError(child.stdout.strip())
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["(no message)"])[-1]  # a traceback ends with "Type: message"
        raise SearchError(f"rebuilding the search index of {db_path} failed (exit {child.returncode}): {last}")
    return int(child.stdout)


def _refresh_in_this_process(db_path: Path) -> int:
    """The child's side of refresh_after_load: prints how many articles it indexed, or the full disk's path."""
    try:
        with connect(db_path, merge_row_groups=True) as con:  # the run's batches left row groups to merge (db.connect)
            count = rebuild_index(con) if not index_is_current(con) else 0
    except DiskFullError as exc:
        print(exc.path)
        return _DISK_FULL_EXIT
    print(count)
    return 0


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    limit: int = 10,
    source: str | None = None,
    since: date | None = None,
) -> list[SearchHit]:
    """Articles ranked by BM25 (title weighted TITLE_WEIGHT times the body), newest first among equal scores.

    The query is plain words: fts tokenises it itself (no operators), so quotes, AND/OR, * or ' in it are
    just characters, and it is always passed as a parameter.
    """
    if not index_exists(con):
        raise SearchError("the database has no search index yet: run `newsdesk search --reindex QUERY`")
    load_fts(con)
    rows = con.execute(
        f"""
        WITH scored AS (
            SELECT article_id,
                   fts_main_articles.match_bm25(article_id, $query, fields := 'title') AS title_score,
                   fts_main_articles.match_bm25(article_id, $query, fields := 'text') AS text_score
            FROM articles
            WHERE ($source IS NULL OR source = $source)
              AND ($since IS NULL OR CAST(COALESCE(published, fetched_at) AS DATE) >= $since)
        )
        SELECT a.article_id, a.title, a.source, CAST(a.published AS DATE), a.url, a.text,
               {TITLE_WEIGHT} * COALESCE(s.title_score, 0) + COALESCE(s.text_score, 0) AS score
        FROM scored s JOIN articles a USING (article_id)
        WHERE s.title_score IS NOT NULL OR s.text_score IS NOT NULL
        ORDER BY score DESC, a.published DESC NULLS LAST, a.article_id
        LIMIT $limit
        """,
        {"query": query, "source": source, "since": since, "limit": limit},
    ).fetchall()
    stems = query_stems(con, query)
    hits = []
    for rank, (article_id, title, src, published, url, text, score) in enumerate(rows, start=1):
        snippet, highlights = make_snippet(con, text or "", stems)
        hits.append(
            SearchHit(
                rank=rank, score=round(float(score), 4), article_id=article_id, title=title, source=src,
                published=published.isoformat() if published else None, url=url, snippet=snippet,
                highlights=highlights,
            )
        )
    return hits


def fold(word: str) -> str:
    """Lower case without accents, as the index was built (strip_accents, lower)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def stem_words(con: duckdb.DuckDBPyConnection, words: set[str]) -> dict[str, str]:
    if not words:
        return {}
    return dict(
        con.execute("SELECT w, stem(w, 'porter') FROM unnest($words) AS t(w)", {"words": sorted(words)}).fetchall()
    )


def query_stems(con: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    """The stems the index matches for a query: its words less the stopwords the index ignores."""
    words = {fold(w) for w in _WORD.findall(query)}
    stop = {row[0] for row in con.execute("SELECT sw FROM fts_main_articles.stopwords").fetchall()}
    return set(stem_words(con, words - stop).values())


def make_snippet(
    con: duckdb.DuckDBPyConnection, text: str, stems: set[str], width: int = SNIPPET_WORDS
) -> tuple[str, list[tuple[int, int]]]:
    """The run of `width` words holding the most query words, with the offsets of those words in the snippet."""
    words = list(_WORD.finditer(text))
    if not words:
        return "", []
    stem_of = stem_words(con, {fold(m.group()) for m in words})
    matched = [stem_of.get(fold(m.group())) in stems for m in words]
    best_start, best_count, count = 0, -1, 0
    for i, is_match in enumerate(matched):  # sliding window over word positions
        count += is_match
        if i >= width:
            count -= matched[i - width]
        if i >= width - 1 or i == len(words) - 1:
            if count > best_count:
                best_start, best_count = max(0, i - width + 1), count
    first_match = next((i for i in range(best_start, len(words)) if matched[i]), best_start)
    best_start = max(0, first_match - width // 4)  # some words of context before the first match
    window = words[best_start : best_start + width]
    start, end = window[0].start(), window[-1].end()
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    body = " ".join(text[start:end].split())
    snippet = prefix + body + suffix
    highlights = []
    for m in _WORD.finditer(snippet):
        if stem_of.get(fold(m.group())) in stems:
            highlights.append((m.start(), m.end()))
    return snippet, highlights


if __name__ == "__main__":  # refresh_after_load's child
    sys.exit(_refresh_in_this_process(Path(sys.argv[1])))
