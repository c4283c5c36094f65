"""One test per cleaning rule: what it drops, and a look-alike real paragraph it must keep."""

from __future__ import annotations

import pytest

from tasks.clean import (
    clean_paragraphs,
    explain_drops,
    is_all_caps_promo,
    is_bullet_separator_line,
    is_call_to_action,
    is_agency_tag,
    is_caption_label,
    is_comment_form,
    is_date_line,
    is_headline_ticker,
    is_link_label,
    is_notice,
    is_photo_caption,
    is_post_meta,
    is_prompt,
    is_related_heading,
    is_rights_notice,
    is_teaser_line,
    is_widget_label,
    is_widget_text,
    normalize_text,
    repair_mojibake,
)

REAL = (
    "NATO and China had little conflict until tensions grew between Beijing and Washington in 2019, "
    "the same year the NATO summit in London raised China as a “challenge.”"
)


def test_normalize_text_nfc_nbsp_zero_width_and_spaces() -> None:
    s = "Cafe\u0301\u00a0\u00a0au\u200b lait  \t now\n\n\n\nnext"
    assert normalize_text(s) == "Café au lait now\n\nnext"


def test_normalize_text_keeps_curly_quotes() -> None:
    assert normalize_text("“Hello,” she said. It’s fine.") == "“Hello,” she said. It’s fine."


def test_repair_mojibake() -> None:
    assert repair_mojibake("Itâ€™s a â€œtestâ€\x9d, cafÃ©") == "It’s a “test”, café"
    assert repair_mojibake("Ärger in Österreich") == "Ärger in Österreich"


def test_all_caps_promo() -> None:
    assert is_all_caps_promo("NATO SUMMIT IN DC IS ‘PIVOTAL’ MAKE-OR-BREAK FOR BIDEN AS SCRUTINY INTENSIFIES")
    assert is_all_caps_promo("CLICK HERE TO GET THE FOX NEWS APP")
    assert not is_all_caps_promo(REAL)
    assert not is_all_caps_promo("NATO, the EU and the U.S. met.")


def test_call_to_action() -> None:
    assert is_call_to_action("Click here to get the app")
    assert is_call_to_action("Sign up for our daily newsletter.")
    assert is_call_to_action("Download the NBC News app for breaking news")
    assert not is_call_to_action("Subscribers to the service said prices rose by 10% last year, the company said.")


def test_link_label() -> None:
    for s in ("Source link", "Read more", "Read More »", "Advertisement", "Continue reading", "Related: Biden meets Xi"):
        assert is_link_label(s), s
    assert not is_link_label("Read more about the plan, officials said, in a report published Monday.")


def test_comment_form() -> None:
    assert is_comment_form("Leave a Comment")
    assert is_comment_form("Your email address will not be published. Required fields are marked *")
    assert not is_comment_form("He declined to comment on the report, saying the matter was under review.")


def test_widget_text() -> None:
    assert is_widget_text("Translate »")
    assert is_widget_text("Scroll to Top")
    assert not is_widget_text("Translate the law into practice, she said.")


def test_photo_caption() -> None:
    assert is_photo_caption(
        "People walk inside the Walter E. Washington Convention Center on July 8, 2024. (AP Photo/Jacquelyn Martin)"
    )
    assert is_photo_caption("Protesters gather in the square. Photo: Jane Doe/Reuters")
    assert is_photo_caption("The president speaks on Monday. (Getty Images)")
    assert not is_photo_caption("The bill passed the Senate (by a wide margin).")
    assert not is_photo_caption("WASHINGTON (AP) — The Senate passed the bill on Tuesday after a long debate.")


def test_headline_ticker() -> None:
    ticker = (
        "Donald Trump Could Be Bitcoin’s Biggest Price Booster: Experts USWNT’s Olympic Final Standard Warren "
        "Buffett and Berkshire Hathaway Annual Meeting Highlights What to see in New York City galleries"
    )
    assert is_headline_ticker(ticker)
    assert not is_headline_ticker(REAL)


def test_bullet_separator_line() -> None:
    assert is_bullet_separator_line("Delhi • Bomb threat • National Capital Region • School")
    assert not is_bullet_separator_line("Prices rose • and fell • again, the index showed over the long year of trading.")


def test_clean_drops_title_repeat_and_keeps_order() -> None:
    title = "NATO forges closer ties"
    paras = [title, "First real paragraph of the story.", "CLICK HERE TO GET THE FOX NEWS APP", REAL]
    assert clean_paragraphs(paras, title) == ["First real paragraph of the story.", REAL]


def test_repeated_lines_keep_their_verdict() -> None:
    """A page repeats its short lines (a label under every picture): each copy is judged as the first one was."""
    paras = ["Foto: Archiv", "The harbour opened on Monday.", "Foto: Archiv", REAL, "The harbour opened on Monday."]
    reasons = [r for _, r in explain_drops(paras, None)]
    assert reasons[0] is not None and reasons == [reasons[0], None, reasons[0], None, None]


def test_clean_truncates_after_end_marker_near_the_end() -> None:
    body = [f"Paragraph {i} of the story, long enough to count as body text for the tail rule." for i in range(6)]
    paras = body + ["Leave a Comment", "Jane", "Some footer text that is not a rule match."]
    assert clean_paragraphs(paras, None) == body
    reasons = [r for _, r in explain_drops(paras, None)]
    assert reasons[-2:] == ["after_end_marker", "after_end_marker"]


def test_end_marker_early_does_not_truncate() -> None:
    paras = ["Leave a comment", *[f"Paragraph {i} with enough words to be real text here." for i in range(5)]]
    assert len(clean_paragraphs(paras, None)) == 5


def test_end_marker_is_narrow() -> None:
    from tasks.clean import is_end_marker

    assert is_end_marker("Leave a Reply")
    assert is_end_marker("Source link")
    assert is_end_marker("Your email address will not be published. Required fields are marked *")
    assert not is_end_marker("Comment")  # a table header
    assert not is_end_marker("Sources said the talks would continue.")


def test_ticker_is_not_a_comma_list() -> None:
    assert not is_headline_ticker(
        "Honorable mentions: Marjorie Prime, Phantom Thread, Casting JonBenet, The Post, The Shape of Water, "
        "Logan Lucky, The Lost City of Z"
    )


def test_date_line() -> None:
    from tasks.clean import is_date_line

    assert is_date_line("November 19, 2019 / 12:21 AM / Updated 14 hours ago")
    assert is_date_line("20 Nov 2019 08:00 GMT")
    assert is_date_line("LinkNaija August 08, 2018")
    assert not is_date_line("On March 3, 2020, the council voted to close the bridge.")


def test_byline_line() -> None:
    from tasks.clean import is_byline_line

    assert is_byline_line("by Lewis White")
    assert is_byline_line("By Jane Doe and John Roe")
    assert not is_byline_line("By contrast, the Senate moved quickly.")
    assert not is_byline_line("By the end of the year prices had doubled.")


def test_credit_line() -> None:
    from tasks.clean import is_credit_line

    assert is_credit_line("Reporting by Rodrigo Campos; additional reporting by Stephanie Kelly; Editing by Leslie Adler")
    assert is_credit_line("SOURCE: News agencies")
    assert not is_credit_line("Reporters said the source of the leak was unclear.")


def test_markup_token() -> None:
    from tasks.clean import is_markup_token

    assert is_markup_token("medium-browser-and-portrait-tablet")
    assert not is_markup_token("well-known")
    assert not is_markup_token("A well-thought-out plan")


def test_date_line_needs_a_real_date() -> None:
    from tasks.clean import is_date_line

    for heading in ("Monitoring", "Saturation", "MONTHLY", "2021 Planning underway", "Still four Thunderbolt 3 ports",
                    "4.2.3 April 2014", "Con: money."):
        assert not is_date_line(heading), heading


def test_ticker_is_not_a_sentence() -> None:
    assert not is_headline_ticker(
        "Dreadful Chapters 2023 Indian Malayalam-language Horror Film Directed By Nirmal Baby Varghese.[80]"
    )


def test_real_paragraphs_with_quotes_and_acronyms_survive() -> None:
    paras = [
        "“WE WILL WIN,” he shouted at the rally in Kyiv on Monday, to cheers from the crowd.",
        "The U.S. and NATO said the EU would join the talks.",
        "Beijing has its own conclusion.",
        "“Read more about it,” she said, pointing at the report.",
    ]
    assert clean_paragraphs(paras, "Some headline") == paras


def test_rule_length_limits_match_the_rules() -> None:
    # explain_drops skips a rule for paragraphs longer than its declared limit: the rule must agree
    from tasks.clean import _RULE_MAX_LENGTH, PARAGRAPH_RULES

    triggers = {
        "all_caps_promo": "CLICK HERE TO GET THE APP ", "call_to_action": "Sign up for our newsletter ",
        "link_label": "Read more: ", "comment_form": "Leave a comment ", "widget_text": "Scroll to Top ",
        "photo_caption": "A caption (AP Photo/Jane Doe) ", "date_line": "November 19, 2019 ",
        "byline_line": "By Jane Doe ", "credit_line": "Reporting by Jane Doe ", "markup_token": "a-b-c-",
        "related_heading": "Lesen Sie auch ", "widget_label": "Gefällt mir ", "prompt": "Abonnieren Sie ",
        "notice": "Wir verwenden Cookies ", "rights_notice": "All rights reserved ", "post_meta": "Posted in News ",
        "teaser_line": "Mira: el ferry ", "caption_label": "Foto: Archiv ", "agency_tag": "dpa/",
    }
    for name, limit in _RULE_MAX_LENGTH.items():
        text = (triggers[name] * (limit // len(triggers[name]) + 2))[: limit + 1]
        assert len(text) > limit
        assert not PARAGRAPH_RULES[name](text), name


@pytest.mark.parametrize(
    "line",
    ["Das könnte Sie auch interessieren", "Le puede interesar:", "À lire aussi", "Leggi anche", "Mehr zum Thema",
     "Temas relacionados", "Dowiedz się więcej", "You may also like"],
)
def test_related_box_headings_in_many_languages(line: str) -> None:
    assert is_related_heading(line)


def test_related_heading_needs_the_whole_line() -> None:
    assert not is_related_heading("Mehr zum Thema Klimaschutz lesen Sie in unserem Dossier über Wärmepumpen.")
    assert not is_related_heading("Leggi anche il rapporto completo della commissione.")


@pytest.mark.parametrize("line", ["Gefällt mir", "Sharing is caring", "Inhaltsverzeichnis", "Anzeige", "Like this:"])
def test_widget_labels(line: str) -> None:
    assert is_widget_label(line)


@pytest.mark.parametrize(
    "line",
    [
        "Mit unserem Newsletter erhalten Sie jeden Freitag die wichtigsten Nachrichten.",
        "To view the full story, please subscribe to The Daily Example.",
        "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular.",
        "Follow The Example Times on Twitter and Instagram @Example.",
        "For the latest stories download the Example News apps for iOS and Android.",
        "Zapraszamy też do subskrypcji naszego newslettera.",
    ],
)
def test_prompts_in_many_languages(line: str) -> None:
    assert is_prompt(line)


def test_prompt_words_inside_prose_are_kept() -> None:
    assert not is_prompt("The council will follow the advice of the harbour master on Twitter's request.")
    assert not is_prompt("She said the paper had lost a third of its subscribers since the paywall went up.")


@pytest.mark.parametrize(
    "line",
    [
        "Tu navegador tiene deshabilitado el uso de Cookies. Algunas funcionalidades necesitan que lo habilites.",
        "Bitte aktivieren Sie JavaScript, um diese Seite zu nutzen.",
        "We use cookies to improve your experience. Accept",
    ],
)
def test_cookie_and_javascript_notices(line: str) -> None:
    assert is_notice(line)


def test_cookies_in_a_recipe_are_not_a_notice() -> None:
    assert not is_notice("Bake the cookies for twelve minutes, until the edges turn golden.")


def test_rights_notice_and_post_meta() -> None:
    assert is_rights_notice("© 2020 Example Interactive Inc. All Rights Reserved.")
    assert is_rights_notice("Alle Rechte vorbehalten.")
    assert is_post_meta("This entry was posted in News and tagged harbour.")
    assert is_post_meta("Kategorie: News, Hafen")
    assert not is_rights_notice("The court ruled that the rights reserved by the city were void, " * 5)


def test_related_heading_ends_the_article_only_before_headlines() -> None:
    body = ["The ferry will run a second boat from the first of July, the harbour council said on Monday."] * 6
    headlines = ["Fish market reopens after repairs", "New cycle lane on the quay"]
    assert clean_paragraphs([*body, "Das könnte Sie auch interessieren", *headlines], None) == body
    inline = [*body[:5], "Lesen Sie auch", "Fish market reopens after repairs", body[5]]
    kept = clean_paragraphs(inline, None)
    assert "Fish market reopens after repairs" in kept and kept[-1] == body[5]


def test_teaser_lines_behind_a_label() -> None:
    assert is_teaser_line("Le puede interesar: Reabre el mercado de pescado tras tres meses de obras")
    assert is_teaser_line("MIRA: Así fue la primera travesía del nuevo ferry")
    assert is_teaser_line("Lesen Sie auch | Fischmarkt öffnet wieder")
    # a sentence that starts with a label word is prose
    assert not is_teaser_line("Mira: the harbour master said the ferry would run every twenty minutes.")
    assert not is_teaser_line("Harbour: the council approved the second ferry")


def test_caption_labels() -> None:
    assert is_caption_label("Abbildung 4: klassische Schwachschicht.")
    assert is_caption_label("Foto: Archiv des Hafens")
    assert not is_caption_label("Fotografen aus der ganzen Stadt kamen: der Hafen feierte das neue Boot.")


@pytest.mark.parametrize("line", ["Dienstag, 4. Juni 2019", "Martes, 4 de junio de 2019", "3 mai 2021", "21. Januar 2022"])
def test_date_lines_in_other_languages(line: str) -> None:
    assert is_date_line(line)


def test_a_sentence_with_a_date_is_not_a_date_line() -> None:
    assert not is_date_line("Am 21. Januar 2022 beschloss der Hafenrat eine zweite Fähre.")


def test_zoom_button_captions_and_credits() -> None:
    assert is_caption_label("Vergrößern Eine kleine runde Aussparung für die Kamera im Display.")
    assert is_caption_label("(Quelle: Foto Steven Example)")
    assert is_caption_label("Copyright: Gisele Example")


def test_agency_tags_close_a_wire_story() -> None:
    assert is_agency_tag("aja/PAP")
    assert is_agency_tag("dpa/lno")
    assert is_agency_tag("(AFP)")
    assert not is_agency_tag("PAP said on Monday.")
    assert not is_agency_tag("Hamburg/Kiel")
