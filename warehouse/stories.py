"""Story assignment inside the load transaction: signatures and LSH bands stored in DuckDB, copies linked by SQL.

Nothing is held in memory between batches: a new text's band keys are joined against `story_bands` to find
candidate copies among every article ever loaded, candidates are checked against their stored signatures (no old
text is re-read), and the confirmed pairs go to `story_links`. A story is a connected group of links, and its id
comes from its smallest article id, so the same articles give the same story ids whatever order or batches they
arrive in. Only the stories a batch touches are recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import pyarrow as pa

from tasks.stories import Fingerprint, containment, estimated_jaccard, fingerprint, same_story, story_id
from warehouse.db import listed, transaction

_SIGNATURE_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("content_hash", pa.string()), ("shingles", pa.int32()),
     ("signature", pa.list_(pa.uint32()))]
)
_BAND_SCHEMA = pa.schema([("band_key", pa.int64()), ("article_id", pa.string())])
_LINK_SCHEMA = pa.schema(
    [("article_a", pa.string()), ("article_b", pa.string()), ("jaccard", pa.float64()),
     ("containment", pa.float64())]
)
_ASSIGN_SCHEMA = pa.schema([("article_id", pa.string()), ("story_id", pa.string())])


def story_texts(articles: pa.Table) -> list[tuple[str, str, str | None]]:
    """(article_id, text, content_hash) of a load batch's article rows."""
    columns = [articles.column(name).to_pylist() for name in ("article_id", "text", "content_hash")]
    return list(zip(*columns))


def update_stories(con: duckdb.DuckDBPyConnection, texts: Sequence[tuple[str, str, str | None]]) -> int:
    """Fingerprint the (article_id, text, content_hash) whose signature is missing or stale, link them to their
    copies and recompute the stories they touch. Call it inside the load transaction; returns texts signed."""
    if not texts:
        return 0
    ids = sorted({article_id for article_id, _, _ in texts})
    with listed(con, "batch_ids", ids) as batch_ids:
        stored = dict(con.execute(
            f"SELECT article_id, content_hash FROM story_signatures WHERE article_id IN {batch_ids}"
        ).fetchall())
        current = dict(con.execute(
            f"SELECT article_id, story_id FROM articles WHERE article_id IN {batch_ids}"
        ).fetchall())
    todo: dict[str, tuple[str, str | None]] = {}
    for article_id, text, content_hash in texts:
        if article_id not in stored or stored[article_id] != content_hash:
            todo.setdefault(article_id, (text, content_hash))
    unassigned = {article_id for article_id, story in current.items() if story is None}
    if not todo and not unassigned:
        refresh_story_rows(con, sorted(set(current.values())))  # a reload can change dates and sources
        return 0
    fingerprints = {article_id: fingerprint(text) for article_id, (text, _) in todo.items()}
    changed = sorted(fingerprints)
    old_stories = {current[aid] for aid in changed if current.get(aid)}
    _replace_fingerprints(con, {aid: (fingerprints[aid], todo[aid][1]) for aid in changed}, had_signature=set(stored))
    neighbours = _link_copies(con, fingerprints)
    touched = old_stories | _story_ids_of(con, sorted(neighbours))
    members = set(changed) | neighbours | unassigned | _members_of(con, touched)
    assigned = _assign(con, members, touched)
    unchanged = {current[aid] for aid in ids if aid not in assigned and current.get(aid)}
    refresh_story_rows(con, sorted(set(assigned.values()) | unchanged))
    return len(changed)


def reset_stories(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every signature, band and link so the next loads rebuild them (reprocess, or a new scheme)."""
    for table in ("story_signatures", "story_bands", "story_links"):
        con.execute(f"DELETE FROM {table}")


def backfill_stories(con: duckdb.DuckDBPyConnection, chunk: int = 1000) -> int:
    """Sign and assign every article that has no signature yet, in chunks (articles loaded before stories
    existed, or left over by an interrupted rebuild); returns how many."""
    done = 0
    while True:
        rows = con.execute(
            "SELECT a.article_id, COALESCE(a.text, ''), a.content_hash FROM articles a "
            "ANTI JOIN story_signatures s USING (article_id) ORDER BY a.article_id LIMIT ?",
            [chunk],
        ).fetchall()
        if not rows:
            return done
        with transaction(con):
            update_stories(con, rows)
        done += len(rows)


def _story_ids_of(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> set[str]:
    if not article_ids:
        return set()
    with listed(con, "neighbour_ids", article_ids) as neighbour_ids:
        rows = con.execute(
            f"SELECT DISTINCT story_id FROM articles WHERE article_id IN {neighbour_ids} AND story_id IS NOT NULL"
        ).fetchall()
    return {row[0] for row in rows}


def _members_of(con: duckdb.DuckDBPyConnection, story_ids: Iterable[str]) -> set[str]:
    ids = sorted(story_ids)
    if not ids:
        return set()
    with listed(con, "touched_story_ids", ids) as touched:
        rows = con.execute(f"SELECT article_id FROM articles WHERE story_id IN {touched}").fetchall()
    return {row[0] for row in rows}


def _replace_fingerprints(
    con: duckdb.DuckDBPyConnection, items: dict[str, tuple[Fingerprint, str | None]], had_signature: set[str]
) -> None:
    """New signatures and bands for these articles; the old bands and links of those re-signed go (their text
    changed). New articles skip the deletes: each scans a table that grows with the database."""
    ids = sorted(set(items) & had_signature)
    if ids:
        _delete_fingerprints(con, ids)
    _insert_fingerprints(con, items)


def _delete_fingerprints(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    with listed(con, "resigned_ids", ids) as resigned:
        con.execute(f"DELETE FROM story_signatures WHERE article_id IN {resigned}")
        con.execute(f"DELETE FROM story_bands WHERE article_id IN {resigned}")
        con.execute(f"DELETE FROM story_links WHERE article_a IN {resigned} OR article_b IN {resigned}")


def _insert_fingerprints(con: duckdb.DuckDBPyConnection, items: dict[str, tuple[Fingerprint, str | None]]) -> None:
    signatures = pa.Table.from_pylist(
        [
            {"article_id": aid, "content_hash": content_hash, "shingles": fp.shingles,
             "signature": list(fp.signature) if fp.signature else None}
            for aid, (fp, content_hash) in items.items()
        ],
        schema=_SIGNATURE_SCHEMA,
    )
    bands = pa.Table.from_pylist(
        [{"band_key": key, "article_id": aid} for aid, (fp, _) in items.items() for key in fp.bands],
        schema=_BAND_SCHEMA,
    )
    con.register("incoming_story_signatures", signatures)
    con.register("incoming_story_bands", bands)
    try:
        con.execute("INSERT INTO story_signatures SELECT * FROM incoming_story_signatures")
        con.execute("INSERT INTO story_bands SELECT * FROM incoming_story_bands")
    finally:
        con.unregister("incoming_story_signatures")
        con.unregister("incoming_story_bands")


def _link_copies(con: duckdb.DuckDBPyConnection, fingerprints: dict[str, Fingerprint]) -> set[str]:
    """Store the links from these articles to every stored copy (same batch included); returns the copies."""
    keyed = pa.Table.from_pylist(
        [{"band_key": key, "article_id": aid} for aid, fp in fingerprints.items() for key in fp.bands],
        schema=_BAND_SCHEMA,
    )
    if keyed.num_rows == 0:
        return set()
    con.register("probe_story_bands", keyed)
    try:
        rows = con.execute(
            """
            WITH pairs AS (  -- distinct pairs first: DISTINCT over the signature lists cost ~3x the whole query
                SELECT DISTINCT p.article_id AS probe, s.article_id AS other
                FROM probe_story_bands p JOIN story_bands s USING (band_key)
                WHERE s.article_id <> p.article_id
            )
            SELECT pairs.probe, pairs.other, g.shingles, g.signature
            FROM pairs JOIN story_signatures g ON g.article_id = pairs.other
            """
        ).fetchall()
    finally:
        con.unregister("probe_story_bands")
    links: dict[tuple[str, str], tuple[float, float]] = {}
    for probe, other, shingles, signature in rows:
        candidate = Fingerprint(shingles=shingles, signature=tuple(signature), bands=())
        if not same_story(fingerprints[probe], candidate):
            continue
        jaccard = estimated_jaccard(fingerprints[probe].signature, candidate.signature)
        pair = (min(probe, other), max(probe, other))
        links[pair] = (jaccard, containment(jaccard, fingerprints[probe].shingles, shingles))
    if links:
        table = pa.Table.from_pylist(
            [{"article_a": a, "article_b": b, "jaccard": j, "containment": c} for (a, b), (j, c) in links.items()],
            schema=_LINK_SCHEMA,
        )
        con.register("incoming_story_links", table)
        try:
            con.execute("INSERT OR REPLACE INTO story_links SELECT * FROM incoming_story_links")
        finally:
            con.unregister("incoming_story_links")
    return {other for pair in links for other in pair} - set(fingerprints)


def _assign(con: duckdb.DuckDBPyConnection, members: set[str], old_story_ids: set[str]) -> dict[str, str]:
    """Connected groups of links among `members` become stories: rewrite their ids, drop the `stories` rows of
    ids that are gone; returns article id -> story id (the caller refreshes the `stories` rows)."""
    ids = sorted(members)
    parent = {aid: aid for aid in ids}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    with listed(con, "member_ids", ids) as member_ids:
        links = con.execute(f"SELECT article_a, article_b FROM story_links WHERE article_a IN {member_ids}").fetchall()
    for a, b in links:
        if b in parent:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for aid in ids:
        groups.setdefault(root(aid), []).append(aid)
    assignment = pa.Table.from_pylist(
        [{"article_id": aid, "story_id": story_id(group)} for group in groups.values() for aid in group],
        schema=_ASSIGN_SCHEMA,
    )
    new_story_ids = sorted({story_id(group) for group in groups.values()})
    con.register("incoming_story_ids", assignment)
    try:
        con.execute(
            "UPDATE articles SET story_id = i.story_id FROM incoming_story_ids i "
            "WHERE articles.article_id = i.article_id AND articles.story_id IS DISTINCT FROM i.story_id"
        )
    finally:
        con.unregister("incoming_story_ids")
    gone = sorted(old_story_ids - set(new_story_ids))
    if gone:
        with listed(con, "gone_story_ids", gone) as gone_ids:
            con.execute(f"DELETE FROM stories WHERE story_id IN {gone_ids}")
    return {aid: story_id(group) for group in groups.values() for aid in group}


def refresh_story_rows(con: duckdb.DuckDBPyConnection, story_ids: Sequence[str]) -> None:
    """Recompute `stories` rows from their member articles (dates, sources and titles can change on reload)."""
    if not story_ids:
        return
    with listed(con, "refreshed_story_ids", story_ids) as refreshed:
        con.execute(
            f"""
            INSERT OR REPLACE INTO stories
            SELECT story_id, min(first_seen_at), min(published),
                   first(article_id ORDER BY published NULLS LAST, first_seen_at NULLS LAST, article_id),
                   first(title ORDER BY published NULLS LAST, first_seen_at NULLS LAST, article_id),
                   COUNT(*), list_sort(list_distinct(list(source)))
            FROM articles WHERE story_id IN {refreshed} GROUP BY story_id
            """
        )
