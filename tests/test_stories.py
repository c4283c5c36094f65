"""Stories: copies of one article share a story, other articles do not, and ids depend on the articles only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from tasks import stories
from tasks.models import Analysis, ArticleRecord, Document, Quote
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.stories import backfill_stories, reset_stories

# Two reports of one press conference, written separately (they share the mayor's quote), and an unrelated one.
REPORT = """The city will spend $48 million to rebuild the Front Street seawall after the council approved the bond on Tuesday night by a vote of seven to two.

Mayor Dana Whitfield said the vote ended years of delay. "We will rebuild the pier and the wall that protects it, and we will do it before the next storm season," she told reporters at City Hall on Wednesday morning.

Construction is expected to start in the spring and last about two years, according to the public works department, which has already hired an engineering firm to finish the design.

Two councilors voted against the bond, warning that steel and concrete prices could push the cost well past the estimate. Councilor Ray Okafor said the city had not planned for overruns and asked for quarterly reports on the spending.

Business owners along the waterfront welcomed the decision. Several said flooding last winter had closed their shops for weeks and that insurers had begun to raise premiums for buildings near the harbor."""

OTHER_REPORT = """Harbor Ledger readers asked what the new seawall means for them, so we went to the waterfront on Wednesday to find out.

At a packed news conference, the mayor repeated her promise. "We will rebuild the pier and the wall that protects it, and we will do it before the next storm season," she told reporters at City Hall on Wednesday morning.

Fishermen at the north dock were less certain. Tomas Reyes, who has worked the harbor for thirty years, said he had heard promises about the wall since his father ran the family boat, and that he would believe it when he saw cranes.

A bakery owner on Front Street said her basement filled with seawater three times last year. She spent more than ten thousand dollars on pumps and new flooring and still lost a month of sales during the repairs.

Engineers hired by the city plan public meetings in January to show residents the design, including a raised walkway and new drainage under the street that should keep storm water from backing up into homes."""

UNRELATED = """The regional rowing regatta drew more than four hundred athletes to the river on Saturday, the largest field since the event began in the nineteen seventies, organizers said after the final races.

The junior eights final came down to the last stroke, with the home club edging a crew from upriver by less than a tenth of a second after a restart caused by a drifting buoy at the start line.

Volunteers spent the week before the regatta clearing debris from the course after heavy rain, and the harbor patrol closed the channel to boat traffic for most of the afternoon so the races could run on time.

Organizers said they hope to add a masters category next year and are talking with the city about building a permanent boathouse near the old ferry landing, which would let clubs store boats on site."""

BOILERPLATE = """Harbor Ledger is an independent newsroom serving the coast since 1898. Our reporters cover city hall, the port, schools and sports. Read our ethics policy and our corrections page, send tips to the newsroom, and support local journalism by subscribing today for unlimited access on every device."""


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def two_thirds(text: str) -> str:
    paras = paragraphs(text)
    return "\n\n".join(paras[: round(len(paras) * 2 / 3)])


def fp(text: str) -> stories.Fingerprint:
    return stories.fingerprint(text)


@pytest.mark.parametrize(
    "copy",
    [
        pytest.param(REPORT, id="verbatim"),
        pytest.param("\n\n".join([*paragraphs(REPORT)[:2], "Sign up for our newsletter to get the morning's top "
                     "stories in your inbox, free, every weekday.", *paragraphs(REPORT)[2:]]), id="promo paragraph"),
        pytest.param(REPORT + "\n\nThe Associated Press contributed to this report.", id="credit line"),
        pytest.param(two_thirds(REPORT) + "\n\nSource link", id="first two thirds"),
        pytest.param(REPORT.replace('"', "\u201d").replace(" - ", " \u2013 ").upper(), id="typography and case"),
    ],
)
def test_syndicated_copies_are_the_same_story(copy: str) -> None:
    assert stories.same_story(fp(REPORT), fp(copy))
    assert stories.same_story(fp(copy), fp(REPORT))  # symmetric, so the order of arrival cannot matter


def test_two_reports_of_one_event_are_different_stories() -> None:
    assert not stories.same_story(fp(REPORT), fp(OTHER_REPORT))
    assert not stories.same_story(fp(REPORT), fp(UNRELATED))


def test_same_boilerplate_with_different_bodies_stays_apart() -> None:
    short_a = "\n\n".join(paragraphs(REPORT)[:2] + [BOILERPLATE])
    short_b = "\n\n".join(paragraphs(UNRELATED)[:2] + [BOILERPLATE])
    assert fp(short_a).signature and fp(short_b).signature
    assert not stories.same_story(fp(short_a), fp(short_b))


def test_short_texts_never_join_a_story() -> None:
    brief = " ".join(REPORT.split()[:30])
    assert fp(brief).signature == () and fp(brief).bands == ()
    assert not stories.same_story(fp(brief), fp(brief))
    caption = "Photo: the Front Street seawall at high tide. Credit: Harbor Ledger. All rights reserved."
    assert not stories.same_story(fp(caption), fp(caption))


def test_signatures_are_fixed_across_versions() -> None:
    """Stored signatures are compared with new ones in later runs: the scheme must not drift silently."""
    signature = fp(REPORT).signature
    assert len(signature) == stories.NUM_PERM and len(fp(REPORT).bands) == stories.BANDS
    digest = hashlib.sha256(",".join(map(str, signature)).encode()).hexdigest()[:16]
    assert digest == "7ff62fa479f1d490"


def test_story_id_comes_from_the_members_only() -> None:
    assert stories.story_id(["b", "a", "c"]) == stories.story_id({"c", "a", "b"}) == stories.story_id(["a"])
    assert stories.story_id(["b"]) != stories.story_id(["a"])


# ---------------------------------------------------------------------------------------------- the warehouse


def record(article_id: str, text: str, source: str = "test", published: str | None = "2024-07-08T10:00:00+00:00",
           title: str = "Seawall") -> ArticleRecord:
    document = Document(url=f"https://{source}.example/{article_id}", title=title, text=text, published=published)
    quotes = (Quote(ordinal=0, text="We will rebuild the pier.", start=0, end=10, speaker_text="she",
                    speaker="Dana Whitfield", speaker_label="PERSON", verb="said", kind="full"),)
    return ArticleRecord(article_id=article_id, url=document.url or "", fetched_url=document.url or "", source=source,
                         analysis=Analysis(document=document, quotes=quotes), fetched_at="2024-07-08T12:00:00+00:00",
                         warc_path=None, warc_offset=None, warc_length=None)


def corpus() -> list[ArticleRecord]:
    return [
        record("a-original", REPORT, "ledger", "2024-07-08T08:00:00+00:00"),
        record("b-copy", REPORT + "\n\nThe Associated Press contributed to this report.", "wire",
               "2024-07-08T11:00:00+00:00", title="Seawall bond approved | Wire"),
        record("c-autoblog", two_thirds(REPORT) + "\n\nSource link", "autoblog", None),
        record("d-other-report", OTHER_REPORT, "ledger"),
        record("e-rowing", UNRELATED, "sports"),
        record("f-brief", " ".join(REPORT.split()[:30]), "ledger"),
        record("g-brief-copy", " ".join(REPORT.split()[:30]), "wire"),
    ]


def assignments(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())


def test_copies_share_a_story_across_sources_and_others_do_not(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, "run1", corpus(), [])
        ids = assignments(con)
        assert ids["a-original"] == ids["b-copy"] == ids["c-autoblog"]
        others = [ids[k] for k in ("a-original", "d-other-report", "e-rowing", "f-brief", "g-brief-copy")]
        assert len(set(others)) == len(others)
        story = con.execute(
            "SELECT representative_article_id, title, members, sources FROM stories WHERE story_id = ?",
            [ids["a-original"]],
        ).fetchone()
        assert story == ("a-original", "Seawall", 3, ["autoblog", "ledger", "wire"])  # earliest published
        assert con.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 5
        day = con.execute("SELECT stories, articles, syndicated_stories FROM stories_per_day").fetchall()
        assert day == [(5, 7, 1)]
        speakers = con.execute("SELECT quotes, articles, stories FROM top_speakers_by_story").fetchall()
        assert speakers == [(7, 7, 5)]  # quotes of copies keep their rows; stories counts them once


def test_ids_do_not_depend_on_order_or_batches(tmp_path: Path) -> None:
    results = []
    for name, order, size in (("forward", corpus(), 100), ("reverse", corpus()[::-1], 2), ("odd", corpus()[1::2] + corpus()[::2], 3)):
        with connect(tmp_path / f"{name}.duckdb") as con:
            for start in range(0, len(order), size):
                load_batch(con, "run", order[start : start + size], [])
            results.append((assignments(con), con.execute("SELECT * FROM stories ORDER BY 1").fetchall()))
    assert results[0] == results[1] == results[2]


def test_a_copy_in_a_later_run_joins_the_story_from_its_stored_signature(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, "run1", [record("a-original", REPORT, "ledger")], [])
        first = assignments(con)["a-original"]
        con.execute("UPDATE articles SET text = NULL")  # old texts are not read again: the signatures suffice
        load_batch(con, "run2", [record("b-copy", two_thirds(REPORT), "wire")], [])
        assert assignments(con) == {"a-original": first, "b-copy": first}
        assert con.execute("SELECT members FROM stories").fetchall() == [(2,)]


def test_a_copy_whose_text_changes_leaves_the_story(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, "run1", [record("a-original", REPORT), record("b-copy", REPORT)], [])
        assert len(set(assignments(con).values())) == 1
        load_batch(con, "run2", [record("a-original", UNRELATED)], [])  # the page now carries another article
        ids = assignments(con)
        assert ids["a-original"] != ids["b-copy"]
        assert ids["b-copy"] == stories.story_id(["b-copy"])
        assert sorted(con.execute("SELECT members FROM stories").fetchall()) == [(1,), (1,)]
        assert con.execute("SELECT COUNT(*) FROM story_links").fetchone()[0] == 0


def test_reload_is_idempotent_and_a_rebuild_gives_the_same_stories(tmp_path: Path) -> None:
    with connect(tmp_path / "n.duckdb") as con:
        load_batch(con, "run1", corpus(), [])
        before = (assignments(con), con.execute("SELECT * FROM stories ORDER BY 1").fetchall())
        load_batch(con, "run2", corpus(), [])
        assert (assignments(con), con.execute("SELECT * FROM stories ORDER BY 1").fetchall()) == before
        reset_stories(con)
        assert backfill_stories(con, chunk=3) == len(corpus())
        assert (assignments(con), con.execute("SELECT * FROM stories ORDER BY 1").fetchall()) == before
