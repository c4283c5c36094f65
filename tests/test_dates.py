"""Dates: the shared parser (machine and human spellings, many languages, the page's locale), dates in URLs, the
page's own day, and how feed / sitemap dates fill what a page leaves out."""

from __future__ import annotations

import pytest

from tasks.dates import date_from_url, date_in_text, day_first, day_month_swapped, local_day, normalize_date
from tasks.extract import extract_document
from tasks.metadata import with_listing_dates
from tasks.models import Document


@pytest.mark.parametrize(
    ("text", "dayfirst", "iso"),
    [
        ("Veröffentlicht am 21. Januar 2022, 13:30 Uhr", True, "2022-01-21T13:30:00"),
        ("publié le 3 mai 2021", True, "2021-05-03"),
        ("1er mai 2021", True, "2021-05-01"),
        ("3 de mayo de 2021", True, "2021-05-03"),
        ("pubblicato il 9 settembre 2020", True, "2020-09-09"),
        ("9 września 2020", True, "2020-09-09"),
        ("Published On May 10, 2022 01:52 PM", False, "2022-05-10T13:52:00"),
        ("November 8, 2023 at 11:30 p.m.", False, "2023-11-08T23:30:00"),
        ("Stand: 19.10.2019", True, "2019-10-19"),
        ("Party, 30.10.23", True, "2023-10-30"),
        ("12/01/2020", True, "2020-01-12"),  # a French or British page
        ("12/01/2020", False, "2020-12-01"),  # a US page
        ("25/12/2020", False, "2020-12-25"),  # over 12: only one reading, whatever the locale
        ("2020年10月4日", True, "2020-10-04"),
        ("Written: 2023-11-07 15:03", True, "2023-11-07T15:03:00"),
    ],
)
def test_dates_as_people_write_them(text: str, dayfirst: bool, iso: str) -> None:
    assert date_in_text(text, dayfirst) == iso


@pytest.mark.parametrize("text", ["version 1.2.3", "call 0800 12 34 56", "31.02.2020", "Mai 2018", "", "13/13/2020"])
def test_not_dates(text: str) -> None:
    assert date_in_text(text) is None


def test_locale_decides_the_order_of_day_and_month() -> None:
    assert day_first("en-US") is False and day_first("en-GB") is True and day_first("de-DE") is True
    assert day_first("en", "www.example.com") is False and day_first("en", "news.example.co.uk") is True
    assert day_first(None) is True


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://x.org/2022/01/21/story/", "2022-01-21"),
        ("https://x.org/news/20200413/story", "2020-04-13"),
        ("https://x.org/newsroom/23-01-2022-story/17.html", "2022-01-23"),
        ("https://x.org/meldungen/29-10-2021", "2021-10-29"),  # the day as the path's last segment
        ("https://x.org/2022/13/40/story", None),
        ("https://x.org/story?date=2022-01-21", None),  # a query is not where a page's date lives
        (None, None),
    ],
)
def test_dates_in_urls(url: str | None, day: str | None) -> None:
    assert date_from_url(url) == day


def test_the_day_is_the_pages_own() -> None:
    assert normalize_date("2023-11-08T23:30:00-05:00") == "2023-11-08T23:30:00-05:00"  # no conversion to UTC
    assert local_day("2023-11-08T23:30:00-05:00") == "2023-11-08"
    assert local_day("2023-11-08") == "2023-11-08"
    assert local_day("garbage") is None and local_day(None) is None


PAGE = """<html lang="{lang}"><head><title>Council votes on the harbour plan</title>{head}</head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Council votes on the harbour plan</h1>{byline}
<p>The city council voted on Tuesday to approve the harbour plan after a debate that lasted most of the day.</p>
<p>Members said the plan would bring new jobs, while residents worried about traffic and noise near the quay.</p>
<p>Work on the first pier is to start next spring, and the council will review the costs every six months.</p>
</article>
<aside class="sidebar"><ul><li><a href="/x">Other story</a> <span class="date">01.01.2019</span></li></ul></aside>
</body></html>"""


def page(byline: str = "", head: str = "", lang: str = "de") -> str:
    return PAGE.format(byline=byline, head=head, lang=lang)


def test_a_date_shown_next_to_the_headline_when_nothing_is_declared() -> None:
    doc = extract_document(page('<p class="meta">Von Anna Berg | 21. Januar 2022</p>'), "https://x.de/a")
    assert doc.published == "2022-01-21"


def test_a_sidebar_date_is_not_the_articles() -> None:
    """(Dates in the few hundred characters around the headline count as the article's; this one is further.)"""
    doc = extract_document(page(), "https://x.de/a")
    assert doc.published is None


def test_a_labelled_date_anywhere_in_the_text() -> None:
    html = page().replace("</article>", "<p>Dieser Beitrag wurde am 14. Dezember 2015 um 14:48 veröffentlicht.</p></article>")
    assert extract_document(html, "https://x.de/a").published == "2015-12-14T14:48:00"


def test_a_declared_utc_time_gives_way_to_the_day_in_the_url() -> None:
    head = '<meta property="article:published_time" content="2023-11-09T04:30:00Z">'
    doc = extract_document(page(head=head, lang="en-US"), "https://x.com/2023/11/08/council-votes/")
    assert doc.published == "2023-11-08"
    far = extract_document(page(head=head, lang="en-US"), "https://x.com/2023/10/01/council-votes/")
    assert far.published == "2023-11-09T04:30:00+00:00"  # days apart: the URL's is another date, not a shift


def test_the_declared_day_the_page_shows_is_not_moved_to_the_urls() -> None:
    """The URL's day is the day the story was begun; a declared UTC time whose day the page shows people is the
    day it states, however near midnight UTC it is. Shown only as the update time, it does not settle it."""
    head = '<meta property="article:published_time" content="2020-07-09T10:04:04Z">'
    shown = '<div class="display-date">July 9, 2020 at 6:40 PM EDT</div>'
    url = "https://x.com/politics/federal-workers/2020/07/08/story.html"
    assert extract_document(page(shown, head, "en-US"), url).published == "2020-07-09T10:04:04+00:00"
    below = "<p>By Eric Y. | July 9, 2020</p>"  # (no date element: the date written below the headline)
    assert extract_document(page(below, head, "en-US"), url).published == "2020-07-09T10:04:04+00:00"
    head = '<meta property="article:published_time" content="2023-11-09T05:30:59Z">'
    times = ('<p><time>November 8, 2023 at 11:30 p.m.</time> Updated: '
             '<time class="updated">November 9, 2023 at 12:21 a.m.</time></p>')
    doc = extract_document(page(times, head, "en-US"), "https://x.com/2023/11/08/council-votes/")
    assert doc.published == "2023-11-08"


def test_a_relative_time_shows_the_day_of_its_datetime() -> None:
    """"1 minute ago" in a <time> is the declared day shown: a date further below (a member's join date) is not
    the page's."""
    head = '<meta property="article:published_time" content="2020-03-18T12:22:42-04:00">'
    byline = ('<p>Thread starter Biggie <time datetime="2020-03-18T12:22:42-0400">1 minute ago</time></p>'
              '<p>Biggie, Well-Known Member, joined May 11, 2017</p>')
    assert extract_document(page(byline, head, "en-US"), "https://forum.x.net/threads/where.26/").published == (
        "2020-03-18T12:22:42-04:00"
    )
    # a <time> whose text is a date without its year is not a relative one: its datetime is not read as shown
    undated = page('<p>Le 28 juin 2019</p>', head, "fr").replace(
        "</article>", '</article><ul><li><time datetime="2020-03-18">18 mars</time></li></ul>'
    )
    assert extract_document(undated, "https://x.fr/a").published == "2019-06-28"


def test_the_date_shown_wins_over_a_declared_one_the_page_never_shows() -> None:
    head = '<meta property="article:published_time" content="2021-11-22T18:42:22+01:00">'
    shown = '<p class="article-meta"><time datetime="2022-01-25T08:00:00+01:00">25.01.2022</time></p>'
    assert extract_document(page(shown, head), "https://x.de/a").published == "2022-01-25"
    # the declared day shown anywhere on the page keeps it (an update date beside it does not win)
    both = shown + '<span class="date">Erstellt 22.11.2021</span>'
    assert extract_document(page(both, head), "https://x.de/a").published == "2021-11-22T18:42:22+01:00"
    # many days shown: a teaser list, not the article's date
    many = "".join(f'<li><span class="date">{d:02d}.03.2020</span></li>' for d in (1, 5, 9))
    teasers = page(head=head).replace("</article>", f"</article><ul>{many}</ul>")
    assert extract_document(teasers, "https://x.de/a").published == "2021-11-22T18:42:22+01:00"


def test_the_date_below_the_headline_wins_when_no_date_element_shows_the_declared_one() -> None:
    head = '<meta property="article:published_time" content="2019-09-22T07:30:29Z">'
    byline = '<p class="publication">Le <span>28 juin 2019</span></p>'
    assert extract_document(page(byline, head, "fr"), "https://x.fr/a").published == "2019-06-28"
    # the declared day shown in a date element keeps it, whatever is written below the headline
    kept = '<p>Le 28 juin 2019</p><span class="date">22/09/2019</span>'
    assert extract_document(page(kept, head, "fr"), "https://x.fr/a").published == "2019-09-22T07:30:29+00:00"


@pytest.mark.parametrize(
    ("day", "swapped"),
    [("2017-03-11", "2017-11-03"), ("2017-11-03", "2017-03-11"), ("2017-03-13", None), ("2017-04-04", None)],
)
def test_day_month_swapped(day: str, swapped: str | None) -> None:
    assert day_month_swapped(day) == swapped


def test_a_numeric_date_under_the_headline_in_the_other_order_is_the_declared_day() -> None:
    """A US page writes "11.03.17" (3 November) where a dot date reads day first almost everywhere: read as 11
    March it would replace the declared 3 November; it shows the declared day."""
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2017-11-03 03:01:00"}</script>'
    byline = '<div class="th-meta">Devindra Hardawar, 11.03.17 in Gadgetry</div>'
    assert extract_document(page(byline, head, "en"), "https://x.com/a").published == "2017-11-03T03:01:00"
    # a date that is not the declared day in either order still wins as before
    other = '<div class="th-meta">Devindra Hardawar, 11.04.17 in Gadgetry</div>'
    assert extract_document(page(other, head, "en"), "https://x.com/a").published == "2017-04-11"


def test_todays_date_in_the_site_header_is_not_the_articles() -> None:
    head = '<meta property="article:published_time" content="2017-05-01T17:05:00+02:00">'
    html = page(head=head).replace(
        "<nav>", '<header><h1><a href="/">Radio</a></h1><span class="dlf-date">Mittwoch, 26.02.2020</span></header><nav>'
    )
    assert extract_document(html, "https://x.de/a").published == "2017-05-01T17:05:00+02:00"
    bar = page(head=head).replace("<nav>", '<div class="jeg_topbar"><div class="top_date">November 9, 2023</div></div><nav>')
    assert extract_document(bar, "https://x.de/a").published == "2017-05-01T17:05:00+02:00"


def test_an_info_box_inside_the_article_holds_the_articles_date() -> None:
    box = '<aside class="meta"><p><time datetime="2022-01-21">21.01.2022 - 13:30</time></p></aside>'
    assert extract_document(page(box), "https://x.de/a").published == "2022-01-21"


def test_a_publication_date_in_the_pages_script_state() -> None:
    state = ('<script id="__NEXT_DATA__" type="application/json">{"props": {"article": {"title": "Council",'
             ' "publishedAt": "2022-01-31T15:58:43+01:00", "related": [{"publishedAt": "2021-05-01"}]}}}</script>')
    assert extract_document(page().replace("</body>", state + "</body>"), "https://x.de/a").published == (
        "2022-01-31T15:58:43+01:00"
    )
    js = '<script>window.__INITIAL_STATE__ = {product: {\\"published_at\\":\\"2019-03-02T06:22:28+01:00\\"}};</script>'
    assert extract_document(page(head=js), "https://x.de/a").published == "2019-03-02T06:22:28+01:00"
    # a markup date comes first; a key without a date after it is not one
    other = '<script>var x = {"createdAt": null, "pubDate": "soon"};</script>'
    assert extract_document(page(head=other), "https://x.de/a").published is None


def test_a_date_in_a_child_of_a_meta_container() -> None:
    """The container's own text holds no digit: its date is in a child element."""
    box = '<div class="article-meta-wrapper">Von: Björn Jahner <span>|</span> <span>31.10.23</span></div>'
    html = page().replace("</article>", box + "</article>")  # (far from the headline)
    assert extract_document(html, "https://x.de/a").published == "2023-10-31"


def test_a_comments_date_is_not_the_articles() -> None:
    comment = '<div class="comment-meta">Peter sagt: <span>24. August 2019 um 03:36 Uhr</span></div>'
    html = page().replace("</article>", comment + "</article>")
    assert extract_document(html, "https://x.de/a").published is None


def test_below_the_headline_before_above_it() -> None:
    html = page('<p class="info">10.06.2018 22:00</p>').replace("<h1>", "<p>Zuletzt: 13.07.2013</p><h1>")
    assert extract_document(html, "https://x.de/a").published == "2018-06-10T22:00:00"


def test_a_header_inside_the_article_is_the_articles() -> None:
    html = page().replace(
        "<h1>Council votes on the harbour plan</h1>",
        '<header><h3>Council</h3><div class="info"><span>28. Jan. 2022</span> <span>Paula B.</span></div></header>',
    )
    assert extract_document(html, "https://x.de/a").published == "2022-01-28"


def test_a_day_in_the_url_before_a_date_near_the_headline() -> None:
    """Nothing declared: /2007/05/20/ in the path is the publication day; a date beside the headline may be an
    event's or a teaser's."""
    html = page('<p>Ergebnisse vom 19. Mai 2007</p>')
    assert extract_document(html, "https://blog.x.de/2007/05/20/ergebnisse/").published == "2007-05-20"


def test_a_day_in_the_share_images_url_as_the_last_resort() -> None:
    head = '<meta property="og:image" content="https://x.org/files/2016/05/04/report-og.png">'
    assert extract_document(page(head=head), "https://x.org/report/").published == "2016-05-04"
    shown = '<p class="meta">Von Anna Berg | 21. Januar 2022</p>'
    assert extract_document(page(shown, head), "https://x.org/report/").published == "2022-01-21"


def test_a_drupal_submitted_line() -> None:
    line = '<div class="submitted">Gespeichert von <span class="username">rasos</span> am 24. Juli 2017 - 18:55</div>'
    html = page().replace("</article>", line + "</article>")
    assert extract_document(html, "https://x.at/a").published == "2017-07-24T18:55:00"


def test_a_date_in_a_script_is_not_a_labelled_date() -> None:
    ad = '<script>/* werkstatt 728x90, erstellt 02.06.10 */ google_ad_slot = "0637123279";</script>'
    line = "<p>Dieser Artikel wurde am 14. Dezember 2015 um 14:48 von Heiner geschrieben.</p>"
    html = page().replace("<nav>", ad + "<nav>").replace("</article>", line + "</article>")
    assert extract_document(html, "https://x.de/a").published == "2015-12-14T14:48:00"


def test_a_label_with_a_colon_after_its_preposition() -> None:
    html = page().replace("</article>", "<p>Erstellt am: 01.11.2023</p></article>")
    assert extract_document(html, "https://x.ch/a").published == "2023-11-01"


def test_a_headline_in_an_h2_when_the_page_has_no_h1() -> None:
    html = page().replace("<h1>Council votes on the harbour plan</h1>",
                          "<h2>Council votes on the harbour plan</h2><p>News24<br>13 Jan 2020, 22:11 GMT+10</p>")
    assert extract_document(html, "https://x.com/news/263700449/a").published == "2020-01-13T22:11:00"
    # a wrapper named for its sidebar that holds that headline is the page's layout, not a sidebar
    wrapped = (
        page()
        .replace("<article><h1>Council votes on the harbour plan</h1>",
                 '<div class="mainwrap sidebar"><div><h2>Council votes on the harbour plan</h2>')
        .replace("</article>", '<div class="post-meta"><a class="post-meta-time">08/08/2017</a></div></div></div>')
    )
    assert extract_document(wrapped, "https://x.de/blog/a").published == "2017-08-08"


def test_the_pages_own_entry_in_a_list_on_the_page() -> None:
    latest = ('<div class="sidebar-latest"><div class="news-list"><a href="/news/615167.html"><time datetime="2020-11-25T08:45:38+04:00">08:45'
              '</time> Other</a><a href="arm/news/615163.html"><time datetime="2020-11-24T08:22:33+04:00">08:22</time>'
              ' This one</a></div></div>')
    html = page().replace("</article>", "</article>" + latest)
    assert extract_document(html, "https://news.example/arm/news/615163.html").published == "2020-11-24T08:22:33+04:00"
    assert extract_document(html, "https://news.example/arm/news/615000.html").published is None


def test_a_long_byline_line_with_its_date_first() -> None:
    line = ("<p class='postmetadata'><small>Dieser Beitrag wurde am Samstag, 3. Dezember 2011 um 14:00 Uhr "
            "veröffentlicht und unter " + ", ".join(f"<a href='/t{i}'>Thema Nummer {i}</a>" for i in range(12))
            + " abgelegt.</small></p>")
    html = page().replace("</article>", line + "</article>")
    assert extract_document(html, "https://x.de/a").published == "2011-12-03T14:00:00"


def test_json_ld_of_any_type_and_without_a_script_type() -> None:
    head = '<script>{"@context": "https://schema.org", "@type": "Recipe", "datePublished": "2006-10-10"}</script>'
    assert extract_document(page(head=head), "https://x.de/a").published == "2006-10-10"


def test_listing_dates_fill_only_what_the_page_leaves_out() -> None:
    bare = Document(url="https://x.org/a", title="T", text="Body")
    dated = Document(url="https://x.org/a", title="T", text="Body", published="2022-01-21T10:00:00+01:00")
    # the page's own date wins over both hints
    assert with_listing_dates(dated, "2022-01-20", "2022-03-01").published == "2022-01-21T10:00:00+01:00"
    assert with_listing_dates(dated, "2022-01-20", "2022-03-01").modified == "2022-03-01"
    # a feed date or news:publication_date is a publication date
    assert with_listing_dates(bare, "2022-01-20T08:00:00+01:00", "2022-03-01").published == "2022-01-20T08:00:00+01:00"
    # a lastmod alone is the best day known, and it is always a modification date
    only_lastmod = with_listing_dates(bare, None, "2022-03-01")
    assert only_lastmod.published == "2022-03-01" and only_lastmod.modified == "2022-03-01"
    assert with_listing_dates(bare, "not a date", None) == bare


def test_shown_date_nodes_list_what_the_selector_group_lists():
    """The shown-date candidates come from one class selector for both date words; the list must be the one the
    group 'time, [class*="date" i], [class*="datum" i]' gives: page order, a node once per tag or word it has."""
    from selectolax.lexbor import LexborHTMLParser

    from tasks.metadata import _shown_date_nodes

    page = LexborHTMLParser(
        '<div class="Post-DATE"><time>1</time><p class="data-box">2</p><span class="datum date">3</span>'
        '<time class="pubdate">4</time><i class="update">5</i><b class="metadata">6</b><em class="DaTuM">7</em>'
        '<time class="">8</time><u class="dat">9</u></div>'
    )
    group = page.css('time, [class*="date" i], [class*="datum" i]')
    assert [n.mem_id for n in _shown_date_nodes(page)] == [n.mem_id for n in group]
    assert len(group) == 9  # the page does exercise the duplicates (span and the classed time twice)
