"""Main-content extraction: one HTML page (or a page saved as plain text) -> a clean Document.

The body is found from the DOM's structure: schema.org articleBody when a page marks exactly one, else the
container whose paragraphs score highest (text length, commas, link density, paragraph shape; <article> and
class/id hints only nudge the score), widened to sibling blocks that are paragraphs too, and to the lead a page
sets apart just before the body. A winner with little prose gets a second look that leaves out only comments
(stories in gallery- or teaser-classed parts), and a page with no article outside <noscript> is read from it.
Inside the body, paragraphs, headings, lists, tables and block quotes are kept in order; link lists, share bars,
comments, galleries and captions are dropped (by shape first, class/id hints second), except a part holding
most of the article's prose; tasks.clean then drops boilerplate lines by named rules.

Metadata (title, authors, dates, ...) comes from tasks.metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser, LexborNode

from tasks.clean import alternation, clean_paragraphs, fold, normalize_text
from tasks.metadata import extract_metadata
from tasks.models import Document
from tasks.nodes import hints, squash

__all__ = ["extract_document", "extract_text_page", "bench_extract"]

# ---------------------------------------------------------------------------------------------------------
# helpers



def _word_count(s: str) -> int:
    return len(s.split())


# ---------------------------------------------------------------------------------------------------------
# main content

_DROP_TAGS = [
    "script", "style", "noscript", "iframe", "svg", "template", "button", "input", "select", "textarea", "canvas",
    "object", "embed", "link", "meta", "nav", "aside", "footer", "figure", "figcaption", "picture", "video",
    "audio", "map", "dialog", "menu", "label", "option", "head",
]
# class/id words of parts that are not the article. Literal words are matched as a trie (shared starts factored
# out: re tries the branches of a flat alternation one by one, at every position of every new token of a page);
# the others keep their lookaround or token boundaries.
_NEGATIVE_WORDS = (
    "comment", "gallery", "slideshow", "carousel", "sharing", "social", "related", "newsletter", "subscri", "cookie",
    "consent", "promo", "advert", "sponsor", "sidebar", "widget", "breadcrumb", "menu", "navbar", "navigation",
    "footer", "masthead", "popup", "modal", "signup", "sign-up", "recommend", "outbrain", "taboola", "disqus",
    "pagination", "pager", "author", "autor", "caption", "credit", "toolbar", "banner", "skip", "tooltip", "rating",
    "more-stories", "read-next", "readnext", "trending", "most-popular", "mostpopular", "also-read", "alsoread",
    "teaser", "byline", "dateline", "meta-data", "metadata", "tags", "keywords", "login", "paywall",
)
_NEGATIVE = re.compile(
    alternation(_NEGATIVE_WORDS) + r"|share(?!d)|(?:^|[\s_-])bio(?:$|[\s_-])"
    r"|(?:^|[\s_-])(?:ad|ads|nav|tag|hide|print|rail|prev|next)(?:$|[\s_-])",
    re.I,
)
# parts that are never article text whatever their size (a subset of the words above)
_STRONG_NEGATIVE_WORDS = (
    "comment", "disqus", "gallery", "slideshow", "carousel", "related", "recommend", "outbrain", "taboola",
    "newsletter", "sharing", "social", "cookie", "consent", "popup", "modal", "promo", "advert", "sponsor", "trending",
    "most-popular", "mostpopular", "read-next", "readnext", "more-stories",
)
_STRONG_NEGATIVE = re.compile(alternation(_STRONG_NEGATIVE_WORDS) + r"|share(?!d)", re.I)
_POSITIVE_WORDS = (
    "article", "body", "content", "entry", "main", "post", "story", "text", "blog", "hentry", "prose", "rich-text",
    "richtext", "paragraph",
)
_POSITIVE = re.compile(alternation(_POSITIVE_WORDS), re.I)
_BLOCK_TAGS = frozenset(
    "p div section article main header h1 h2 h3 h4 h5 h6 ul ol li blockquote pre table thead tbody tfoot tr "
    "dl dt dd hr address center details summary fieldset form caption hgroup".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# blocks kept even when they are all link text: headings, list items and table rows are content structure
_KEEP_LINKED = _HEADINGS | {"li", "tr"}
# containers whose own text runs are paragraphs scored for their parent (Readability scores p, td, pre)
_PARA_TAGS = frozenset("p pre li".split())
_NOT_SCORED = frozenset("li h1 h2 h3 h4 h5 h6 dt dd th caption summary address hgroup".split())
_TAG_SCORE = {"div": 5, "article": 10, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3,
              "form": -3, "ol": -3, "ul": -3, "dl": -3, "li": -3, "address": -3, "th": -5,
              "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "body": -5}
# a paragraph's points go to five ancestors: all to the parent, half to the grandparent, then 1/(3 * level)
_LEVEL_DIVISORS = (1, 2, 6, 9, 12)
_BR_BREAK = re.compile(r"\x00\s*\x00[\s\x00]*")
_SKIP_INLINE = frozenset("img hr wbr area source track".split()) | frozenset(_DROP_TAGS)


class _TagIds:
    """lexbor's integer ids of the tags the walk tells apart (fixed for a lexbor build; read once)."""

    def __init__(self) -> None:
        probe = LexborHTMLParser("<p>x<!--c--></p>")
        para = probe.css_first("p")
        assert para is not None and para.first_child is not None and para.last_child is not None
        self.text = para.first_child.tag_id
        comment = para.last_child.tag_id

        def ids(names: Iterable[str]) -> frozenset[int]:
            return frozenset(probe.create_node(n).tag_id for n in names)

        self.block_names = {probe.create_node(n).tag_id: n for n in _BLOCK_TAGS | {"pre"}}
        self.block = frozenset(self.block_names)
        self.skip = ids(_SKIP_INLINE) | {comment}  # comments are skipped like the dropped tags
        self.cell = ids(("td", "th"))
        self.head_like = ids(("script", "meta", "link", "title"))
        self.br, self.pre, self.a = (probe.create_node(n).tag_id for n in ("br", "pre", "a"))


@lru_cache(maxsize=1)
def _tag_ids() -> _TagIds:
    return _TagIds()


class _El:
    """One block-level element of the page with totals gathered bottom-up in a single walk."""

    __slots__ = ("node", "tag", "parent", "text_len", "link_len", "score", "points", "good", "scored", "_hints", "order")

    def __init__(self, node: LexborNode, tag: str, parent: int, order: int) -> None:
        # (chained assignments: one of these is made per block of every page)
        self.node = node
        self.tag = tag
        self.parent = parent
        self.order = order
        # good: chars of paragraph-like text (long, few links, outside furniture) in its subtree
        self.text_len = self.link_len = self.good = 0
        self.score = self.points = 0.0  # points: what its paragraphs gave it, before tag/class weights
        self.scored = False
        self._hints: str | None = None

    @property
    def hints(self) -> str:
        """class, id and itemprop, read only when needed (attribute access is the costly part of the walk)."""
        if self._hints is None:
            attrs = self.node.attributes
            self._hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip()
            if attrs.get("itemprop"):
                self._hints += f" itemprop={attrs['itemprop']}"
        return self._hints

    @property
    def link_density(self) -> float:
        return min(1.0, self.link_len / self.text_len) if self.text_len else 0.0


class _Page:
    """The body as block elements (tree of _El) and text blocks (runs of inline content) in document order."""

    def __init__(self, body: LexborNode) -> None:
        self.els: list[_El] = [_El(body, "body", -1, 0)]
        self.protected: set[int] = set()  # the best candidate and its ancestors (set by pick)
        self._furniture_mode = "all"
        self._root_good = 1 << 30  # paragraph prose under the chosen roots (set by paragraphs)
        self.blocks: list[tuple[str, int, int]] = []  # (text, link chars, index of the containing _El)
        self.head_like: list[LexborNode] = []  # meta / link / script / title elements met in the body
        self._walk_body(body)

    def _walk_body(self, body: LexborNode) -> None:
        """One recursive pass; the hot loop of extraction, so it works on locals only.

        Text runs collect in `buf` ("\x00" marks a <br>); a block element flushes the run before and after
        itself. Each block element's text and link lengths are summed into its parent on the way back up.
        """
        els = self.els
        blocks = self.blocks
        buf: list[str] = []
        link_acc = [0]  # link chars in the current run
        ids = _tag_ids()
        text_id, br_id, pre_id, a_id = ids.text, ids.br, ids.pre, ids.a
        block_ids, skip_ids, cell_ids, head_like_ids = ids.block, ids.skip, ids.cell, ids.head_like
        block_names = ids.block_names
        head_like = self.head_like

        def flush(el: int) -> None:
            if not buf:
                return
            text = "".join(buf)
            buf.clear()
            link = link_acc[0]
            link_acc[0] = 0
            if "\x00" not in text:
                text = " ".join(text.split())
                if text:
                    blocks.append((text, link, el))
                    els[el].text_len += len(text)
                return
            parts = []
            for part in _BR_BREAK.split(text):
                lines = [" ".join(line.split()) for line in part.split("\x00")]
                part = "\n".join(line for line in lines if line)
                if part:
                    parts.append(part)
            total = sum(len(p) for p in parts) or 1
            els[el].text_len += sum(len(p) for p in parts)
            for p in parts:
                # link chars shared out in proportion: good enough for a density
                blocks.append((p, link * len(p) // total, el))

        def walk(node: LexborNode, e: _El, cur: int, in_link: bool, depth: int) -> None:
            # first_child/next and integer tag ids: measurably cheaper than iter() and tag names here
            child = node.first_child
            while child is not None:
                tid = child.tag_id
                if tid == text_id:
                    # whitespace opening a run (most text nodes: the indentation between tags) would be cut by
                    # flush() anyway; leaving it out of `buf` saves a flush per block (and lexbor tells ASCII
                    # whitespace without the text being decoded)
                    if not buf and child.is_empty_text_node:
                        child = child.next
                        continue
                    t = child.text_content
                    if t and (buf or not t.isspace()):
                        buf.append(t)
                        if in_link:  # text lengths are counted once per run, in flush(); links here
                            n = len(t.strip())
                            e.link_len += n
                            link_acc[0] += n
                elif tid in block_ids:
                    if depth <= 300:
                        if buf:
                            flush(cur)
                        idx = len(els)
                        ce = _El(child, block_names[tid], cur, idx)
                        els.append(ce)
                        if tid == pre_id:
                            # code and poetry: keep the lines as they are, one block
                            raw = child.text(deep=True) or ""
                            lines = [line.rstrip() for line in raw.replace("\r", "").split("\n")]
                            text = "\n".join(lines).strip("\n")
                            if text.strip():
                                ce.text_len = len(text)
                                blocks.append((text, 0, idx))
                        else:
                            walk(child, ce, idx, in_link, depth + 1)
                            if buf:
                                flush(idx)
                        e.text_len += ce.text_len
                        e.link_len += ce.link_len
                elif tid == br_id:
                    buf.append("\x00")
                elif tid in skip_ids:
                    if tid in head_like_ids:
                        head_like.append(child)
                elif tid in cell_ids:
                    # cells of a row read as one line, so a row stays one paragraph
                    if depth <= 300:
                        buf.append(" ")
                        walk(child, e, cur, in_link, depth + 1)
                        buf.append(" ")
                elif depth <= 300:
                    walk(child, e, cur, in_link or tid == a_id, depth + 1)
                child = child.next

        walk(body, els[0], 0, False, 0)
        flush(0)
        # the recursive closure refers to itself through its cell: break that cycle so the page (and the
        # parsed tree its nodes keep alive) is freed at once instead of at the next garbage collection
        walk = None  # type: ignore[assignment]  # noqa: F841

    # -- scoring -----------------------------------------------------------------------------------------

    def _init_score(self, e: _El) -> None:
        e.scored = True
        weight = _class_weight_of(e.hints)
        if weight < 0 and self._furniture_mode == "comments":
            weight = 0  # second look: a gallery or teaser class says nothing against the prose inside it
        e.score = _TAG_SCORE.get(e.tag, 0) + weight
        if e.tag == "article" or "itemprop=articlebody" in e.hints.lower():
            e.score += 15

    def in_furniture(self, i: int) -> bool:
        """Whether element i lies inside a part hinted as comments/related/sidebar/... (memoised upwards)."""
        memo = self._zone
        path = []
        while i >= 0 and memo[i] is None:
            path.append(i)
            i = self.els[i].parent
        flag = memo[i] if i >= 0 else False
        # a hinted part holding most of the page is a page wrapper with an odd class, not furniture
        limit = 0.6 * self.els[0].text_len
        hinted = _hinted_comments if self._furniture_mode == "comments" else _hinted_furniture
        for j in reversed(path):
            flag = flag or (j != 0 and self.els[j].text_len <= limit and hinted(self.els[j].hints))
            memo[j] = flag
        return bool(flag)

    def _reset_scores(self) -> None:
        for e in self.els:
            e.scored = False
            e.score = e.points = 0.0
            e.good = 0

    def score(self, furniture: str = "all") -> list[_El]:
        """Elements ranked by their paragraphs' points. `furniture`: which hinted parts are left out of the
        scoring: "all" (comments, related, galleries, sidebars...), "comments" only, or "none"."""
        els = self.els
        self._furniture_mode = furniture
        skip_furniture = furniture != "none"
        self._zone: list[bool | None] = [None] * len(els)
        for text, _link, ci in self.blocks:
            n = len(text)
            if n < 25:
                continue
            c = els[ci]
            if _link >= 0.5 * n:  # a link, or a list of them, is navigation whatever its length
                continue
            if c.tag in _NOT_SCORED and not (c.tag == "li" and n >= 80):  # long list items are prose
                continue
            if skip_furniture and self.in_furniture(ci):
                continue
            if n >= 80 and _link < 0.3 * n:
                c.good += n
            commas = text.count(",")
            if commas < 10 and not text.isascii():
                commas += text.count("，") + text.count("、")
            points = 1 + min(commas, 10) + min(n // 100, 3)
            i = c.parent if c.tag in _PARA_TAGS else ci
            for divisor in _LEVEL_DIVISORS:
                if i < 0:
                    break
                e = els[i]
                if not e.scored:
                    self._init_score(e)
                share = points / divisor
                e.score += share
                e.points += share
                i = e.parent
        for e in reversed(els):  # children come after their parent: one reverse pass sums subtrees
            if e.good and e.parent >= 0:
                els[e.parent].good += e.good
        ranked = [e for e in els if e.scored]
        for e in ranked:
            e.score *= 1 - e.link_density
        ranked.sort(key=lambda e: e.score, reverse=True)
        return ranked

    def ancestors(self, i: int) -> list[int]:
        out = []
        i = self.els[i].parent
        while i >= 0:
            out.append(i)
            i = self.els[i].parent
        return out

    def pick(self) -> list[int]:
        """Indexes of the elements that make the article: the best candidate and its good siblings."""
        ranked = self.score()
        if not ranked or ranked[0].score < 5:
            self._reset_scores()
            ranked = self.score("none")
        elif ranked[0].good < _WEAK_WINNER:
            # a winner with little prose: the article may sit in a part whose class names a gallery, slideshow
            # or teaser (a photo story, a slideshow of paragraphs). Look again with only comments left out, and
            # take that when it finds much more prose.
            first_good = ranked[0].good
            self._reset_scores()
            second = self.score("comments")
            if second and second[0].good >= 3 * first_good + 200:
                ranked = second
            else:
                self._reset_scores()
                ranked = self.score()
        if not ranked or ranked[0].score <= 0:
            return [0]
        top = ranked[0]
        top_i = top.order
        # several strong candidates under one ancestor: the article is split, take the ancestor
        rivals = [e.order for e in ranked[1:5] if e.score >= top.score * 0.75]
        if len(rivals) >= 2:
            for a in self.ancestors(top_i):
                if a == 0 or _hinted_furniture(self.els[a].hints):
                    break
                if sum(1 for r in rivals if a in self.ancestors(r)) >= 2:
                    top_i = a
                    break
        if top_i == top.order:
            # a small box whose class weight won (an intro, a teaser text) against a block with several times
            # its paragraph prose: the prose is the article
            for e in ranked[1:8]:
                if e.points >= 3 * top.points and e.good >= 2 * top.good + 300 and e.score >= 0.5 * top.score:
                    top = e
                    top_i = e.order
                    break
        best_score = top.score
        # the best paragraph holder's wrappers are never dropped as link boxes: a short (teaser, paywalled)
        # article inside a column full of related links is still the article
        self.protected = set(self.ancestors(top.order)) | {top.order}
        # climb while the parent is only a wrapper around the candidate
        while True:
            p = self.els[top_i].parent
            if p <= 0:
                break
            pe = self.els[p]
            if pe.tag == "body" or _hinted_furniture(pe.hints):
                break
            cur = self.els[top_i]
            added_text = pe.text_len - cur.text_len
            added_good = pe.good - cur.good
            # a wrapper, or a parent whose extra text is mostly more paragraphs (an article split in sections)
            if added_text <= 0.1 * pe.text_len or (added_good >= 0.15 * cur.good and added_good >= 0.6 * added_text):
                top_i = p
                continue
            break
        top = self.els[top_i]
        parent = top.parent
        if parent < 0:
            return [top_i]
        top_score = max(best_score, top.score if top.scored else 0.0)
        threshold = max(10.0, top_score * 0.2)
        chosen = []
        for e in self.els[parent + 1 :]:
            if e.parent != parent:
                continue
            if e.order == top_i:
                chosen.append(e.order)
                continue
            if _hinted_furniture(e.hints):
                continue
            bonus = top_score * 0.2 if e.hints and e.hints == top.hints else 0.0
            # a class weight alone does not make a sibling part of the article: its paragraphs must too
            if e.scored and e.score + bonus >= threshold and e.points * (1 - e.link_density) >= threshold * 0.5:
                chosen.append(e.order)
            elif e.tag == "p":
                ld = e.link_density
                if e.text_len > 80 and ld < 0.25:
                    chosen.append(e.order)
                elif 0 < e.text_len <= 80 and ld == 0 and _SENTENCE_END.search(e.node.text() or ""):
                    chosen.append(e.order)
        chosen = chosen or [top_i]
        lead = self.lead_before(min(chosen))
        if lead is not None:
            chosen.insert(0, lead)
            self.protected.add(lead)
        return chosen

    def lead_before(self, first: int) -> int | None:
        """The lead (standfirst, teaser text, abstract) a page sets just before the body, outside the body's
        own block: a short prose block, nearly free of links, whose class names a lead, within three levels
        above the body. Its class ("teaser-text") would otherwise read as furniture."""
        els = self.els
        first_anc = self.ancestors(first)
        if len(first_anc) < 2:
            return None
        scope = first_anc[min(2, len(first_anc) - 1)]
        checked = 0
        for j in range(first - 1, scope, -1):
            e = els[j]
            if j in first_anc or e.text_len == 0:
                continue
            checked += 1
            if checked > 12:
                break
            if 40 <= e.text_len <= 1000 and e.link_len * 5 < e.text_len and e.tag not in _HEADINGS and _LEAD_HINT.search(e.hints):
                anc = self.ancestors(j)
                if scope in anc and not any(_strongly_hinted_furniture(els[a].hints) for a in anc if a != scope and a not in first_anc):
                    return j
        return None

    # -- output ------------------------------------------------------------------------------------------

    def furniture(self, e: _El) -> bool:
        """Inside the article: link lists, share bars, captions and promos, judged by shape first and by
        class/id hints only when the shape agrees (short or link-heavy), except for parts whose hint names
        something that is never article text (comments, galleries, related links). Hints are read last:
        reading attributes is the costly part."""
        tag = e.tag
        if tag in _HEADINGS or tag == "pre" or e.text_len == 0 or e.order in self.protected:
            return False
        if e.good and e.good >= 0.5 * self._root_good:
            return False  # a part holding most of the article's prose is the article (a slideshow of paragraphs)
        if tag == "p":
            return e.text_len < 200 and _hinted_furniture(e.hints)
        ld = e.link_density
        if e.text_len < 2000:
            # lists of related links are (nearly) all link text; a list that names linked people or projects
            # in prose runs lower, so lists get a higher bar than generic boxes
            if tag in ("ul", "ol", "dl") and ld > 0.65:
                return True
            if tag in ("table", "div", "section", "header", "form") and ld > 0.5:
                return True
        if tag == "li" or tag == "tr" or tag == "dd" or tag == "dt":
            return False  # items and rows are judged through their list or table
        neg, pos, strong = _hint_kind(e.hints)
        if not neg or pos:
            return False
        if not strong and e.text_len <= 1000 and e.link_len * 5 < e.text_len and _LEAD_HINT.search(e.hints):
            return False  # the lead ("teaser-text") inside the article
        return strong or e.text_len < 400 or ld > 0.3

    def paragraphs(self, roots: list[int]) -> list[str]:
        """Text blocks under the roots, minus those inside furniture, in document order."""
        els = self.els
        # state per element: 0 outside the article, 1 kept, 2 inside but dropped (furniture on the way)
        state = bytearray(len(els))
        root_set = set(roots)
        self._root_good = sum(els[i].good for i in roots) or 1 << 30
        for e in els:  # parents come before their children, so one forward pass settles everything
            i = e.order
            if i in root_set:
                state[i] = 2 if (i != 0 and self.furniture(e)) else 1
                continue
            ps = state[e.parent] if e.parent >= 0 else 0
            if ps == 1:
                state[i] = 2 if self.furniture(e) else 1
            else:
                state[i] = ps
        out = []
        for text, link, ci in self.blocks:
            if state[ci] != 1:
                continue
            n = len(text)
            # a stand-alone link line ("Read the full report") inside the article is navigation
            # (a table row is kept as a data row only when it is one line: br-separated links are a menu)
            if link and link >= 0.8 * n and n < 120 and (els[ci].tag not in _KEEP_LINKED or "\n" in text):
                continue
            out.append(text)
        return out


_SENTENCE_END = re.compile(r"\.( |$)")
_STATE_TOKEN = re.compile(r"^(?:has|with|no|non|not|show|is|js|enable[ds]?|disable[ds]?|can|allow)[-_]", re.I)


# utility classes of CSS frameworks (Tailwind and the like): variants with a colon, and text-<size|align|colour>
_UTILITY_TOKEN = re.compile(
    r"^[\w-]+:|^text-(?:xs|sm|base|md|lg|\d*xl|left|right|center|justify|start|end|white|black|transparent|current"
    r"|inherit|bold|normal|italic|uppercase|lowercase|capitalize|nowrap|truncate|wrap|muted|primary|secondary|dark|light"
    r"|(?:gray|grey|slate|zinc|neutral|stone|red|orange|amber|yellow|lime|green|emerald|teal|cyan|sky|blue|indigo"
    r"|violet|purple|fuchsia|pink|rose)(?:-\d+)?)$",
    re.I,
)
_SLUG_STOPWORDS = frozenset("a an the of to and or in on for with at by from is are how why what your our".split())


_SLUG_SEPARATORS = re.compile(r"[-_]+")


def _is_slug(token: str) -> bool:
    if token.count("-") + token.count("_") < 4:
        return False  # fewer than five parts, whatever they are (the cheap test: most tokens stop here)
    parts = _SLUG_SEPARATORS.split(token.lower())
    return len(parts) >= 5 and any(p in _SLUG_STOPWORDS for p in parts)


@lru_cache(maxsize=1 << 15)
def _hint_kind(hints: str) -> tuple[bool, bool, bool]:
    """(negative, positive, strong) from class/id tokens. A token naming both ("post-comments") counts as
    negative: the more specific word is the furniture one. `strong`: a negative token naming a part that is
    never article text whatever its size (comments, galleries, related links). Memoised, as is each token:
    a page repeats its class strings, and sites share their tokens ("container", "entry-content")."""
    neg = pos = strong = False
    for token in hints.split():
        token_neg, token_pos, token_strong = _token_kind(token)
        neg = neg or token_neg
        pos = pos or token_pos
        strong = strong or token_strong
    return (neg, pos, strong)


@lru_cache(maxsize=1 << 16)
def _token_kind(token: str) -> tuple[bool, bool, bool]:
    """(negative, positive, strong) of one class/id token (see _hint_kind)."""
    if token.isascii():
        patterns, token = _LOWERED, token.lower()
    else:
        patterns = _CASELESS
    if patterns.state.match(token):  # "has-sidebar", "with-comments": a page state, not a part
        return (False, False, False)
    if _is_slug(token):  # "sharing-with-a-single-developer": an id made from a heading
        return (False, False, False)
    if patterns.utility.match(token):  # "text-xl", "md:text-2xl": a utility class sets a style, names no part
        return (False, False, False)
    neg = strong = False
    if "--" in token:
        # a BEM modifier says how a block is laid out ("row-content--sidebar"), not what it is, unless
        # it names a part that is never article text ("metabar--social")
        token, modifiers = token.split("--", 1)
        if patterns.strong.search(modifiers):
            neg = strong = True
    if patterns.negative.search(token):
        return (True, False, strong or bool(patterns.strong.search(token)))
    return (neg, bool(patterns.positive.search(token)), strong)


class _TokenPatterns(NamedTuple):
    state: re.Pattern[str]
    utility: re.Pattern[str]
    negative: re.Pattern[str]
    strong: re.Pattern[str]
    positive: re.Pattern[str]


_CASELESS = _TokenPatterns(_STATE_TOKEN, _UTILITY_TOKEN, _NEGATIVE, _STRONG_NEGATIVE, _POSITIVE)
# the same patterns without re.I, for ASCII tokens lowered first: about three times cheaper, and the same
# matches, since the patterns are ASCII and lower-case and lowering ASCII moves no position
_LOWERED = _TokenPatterns(*(re.compile(p.pattern) for p in _CASELESS))


def _class_weight_of(hints: str) -> int:
    neg, pos, _ = _hint_kind(hints)
    return (-25 if neg else 0) + (25 if pos else 0)


def _hinted_furniture(hints: str) -> bool:
    neg, pos, _ = _hint_kind(hints)
    return neg and not pos


# class/id words of a lead set apart from the body (English, German, French, Spanish, Italian CMS names)
_LEAD_HINT = re.compile(
    r"(?<![a-z])lead(?!er)|intro|teaser[-_]?text|abstract|standfirst|description|excerpt|sub-?title|sub-?head"
    r"|chapo|chapeau|bajada|entradilla|sottotitolo|vorspann|anriss|article[-_]?summary",
    re.I,
)
_COMMENTS_HINT = re.compile(r"comment|disqus|repl(?:y|ies)|respond|discussion|forum", re.I)
# a winning candidate with less paragraph prose than this (chars) gets a second look (Page.pick)
_WEAK_WINNER = 400


def _hinted_comments(hints: str) -> bool:
    return _hinted_furniture(hints) and bool(_COMMENTS_HINT.search(hints))


def _strongly_hinted_furniture(hints: str) -> bool:
    neg, pos, strong = _hint_kind(hints)
    return strong and not pos


# a broad query (each selector in a group costs a pass), narrowed in Python below
_HIDDEN_OR_BODY_OR_H1 = (
    '[hidden], [aria-hidden="true"], [style*="none" i], [style*="hidden" i], [itemprop="articleBody" i], h1'
)


# paragraph text (chars) that makes a hidden element collapsed content rather than a menu, modal or template
_COLLAPSED_PROSE = 300
_COLLAPSIBLE_TAGS = frozenset(("div", "section", "article", "main", "dd", "details"))
_COLLAPSIBLE_HINT = re.compile(r"accordion|collaps|expand|toggle|tab-?panel|tab-?content|read-?more|more-?text", re.I)


def _collapsed_prose(node: LexborNode) -> bool:
    """Whether a hidden element is collapsed article text: an accordion panel, a "read more" expander or a tab
    (its class says so) whose paragraphs carry real prose, which menus, modals and templates do not."""
    if node.tag not in _COLLAPSIBLE_TAGS or not _COLLAPSIBLE_HINT.search(hints(node)):
        return False  # most hidden elements are icons and menus: the tag rules them out before any attribute
    total = 0
    for para in node.css("p"):
        text = para.text(deep=True) or ""
        if len(text) >= 80:
            total += len(text)
            if total >= _COLLAPSED_PROSE:
                return True
    return False


def _prepare(tree: LexborHTMLParser) -> tuple[set[int], list[LexborNode]]:
    """Remove hidden elements; return the mem_ids of elements marked itemprop=articleBody, and the page's <h1>
    elements left (the metadata reads the headline from them).

    One css() query does all three (each query is a full DOM pass). Scripts, navigation and the like are not
    removed but skipped by the walk, which is cheaper than a pass per tag. Only the outermost hidden
    elements are decomposed: touching a node inside an already freed subtree is unsafe. A node matching
    several selectors of the group is listed once per selector: it is handled once, and never freed twice.
    """
    marked: set[int] = set()
    hidden: list[LexborNode] = []
    hidden_ids: set[int] = set()
    seen: set[int] = set()
    h1s: list[LexborNode] = []
    for node in tree.css(_HIDDEN_OR_BODY_OR_H1):
        mem_id = node.mem_id
        if mem_id in seen:
            continue
        seen.add(mem_id)
        attrs = node.attributes
        prop = (attrs.get("itemprop") or "").lower()
        style = (attrs.get("style") or "").replace(" ", "").lower()  # "display: none" -> "display:none"
        is_hidden = (
            "hidden" in attrs
            or attrs.get("aria-hidden") == "true"
            or "display:none" in style
            or "visibility:hidden" in style
        )
        if not is_hidden:
            if prop == "articlebody":
                marked.add(mem_id)
            if node.tag == "h1" and not (hidden_ids and _inside(node, hidden_ids)):
                h1s.append(node)
            continue
        if node.tag in ("html", "head", "body"):
            continue  # broken markup can put hidden on the page itself ("<html <div hidden>"): read it anyway
        # (a hidden <h1> is always removed: it is not a collapsible tag)
        if not (hidden_ids and _inside(node, hidden_ids)) and not _collapsed_prose(node):
            hidden.append(node)
            hidden_ids.add(mem_id)
    for node in hidden:
        node.decompose()
    return marked, h1s


def _inside(node: LexborNode, ids: set[int]) -> bool:
    """Whether one of the node's ancestors is among `ids`."""
    anc = node.parent
    while anc is not None:
        if anc.mem_id in ids:
            return True
        anc = anc.parent
    return False


# Class/id words sites use for a story's key-point bullets ("Key Points", "Story highlights", "Takeaways").
_KEY_POINTS_HINT = re.compile(
    r"key[-_ ]?points?|story[-_ ]?highlights|article[-_ ]?highlights|key[-_ ]?takeaways|takeaways|tl[-_]?dr|"
    r"summary[-_ ]?(?:points|bullets|list)",
    re.I,
)


def _summary_points(page: _Page) -> tuple[list[str], list[str]]:
    """The first list the page marks as key points (on the list or on its two nearest block ancestors), 2-8
    items, and the headings of the marked block ("Key Points"), which must leave the body with it.

    Works on the walk's block elements, whose class/id the scoring reads anyway, instead of another DOM pass.
    """
    els = page.els
    for el in els:
        # key points are a few sentences, not links: numbers the walk already has rule out menus and link
        # lists before any class attribute is read
        if el.tag not in ("ul", "ol") or not 40 <= el.text_len <= 4000 or el.link_len * 3 > el.text_len:
            continue
        block = el if _KEY_POINTS_HINT.search(el.hints) else None
        ancestor = el.parent
        for _ in range(2):
            if ancestor < 0:
                break
            if _KEY_POINTS_HINT.search(els[ancestor].hints):
                block = els[ancestor]
            ancestor = els[ancestor].parent
        if block is None:
            continue
        items = [squash(normalize_text(item.text(separator=" "))) for item in el.node.css("li")]
        items = [item for item in items if 3 <= _word_count(item) <= 80]
        if 2 <= len(items) <= 8:
            headings = [
                squash(normalize_text(h.text(separator=" "))) for h in block.node.css("h1, h2, h3, h4, h5, h6")
            ]
            return items, headings
    return [], []


def extract_document(html: str, url: str | None = None) -> Document:
    """Body text and metadata of one HTML page; a page without an article gives text "".

    A bug raises instead of giving an empty Document, so the analysis step records it as a failure rather
    than as a page without text.
    """
    return _extract_document(html, url)


# lexbor's DOM mutation events (a <selectedcontent> mirroring its <option>) change nothing extraction reads, and
# parsing without them is measurably cheaper
_PARSE_OPTIONS = LexborDocumentOptions.WO_EVENTS


def _extract_document(html: str, url: str | None) -> Document:
    if not isinstance(html, str):
        html = html.decode("utf-8", "replace") if isinstance(html, (bytes, bytearray)) else ""
    # (NUL characters need no cleaning: lexbor drops them, and the walk uses "\x00" as its <br> mark)
    if not html or html.isspace():  # (not html.strip(): that copies the whole page when it ends in a newline)
        return Document(url=url, title=None, text="")
    tree = LexborHTMLParser(html, options=_PARSE_OPTIONS)
    marked, h1s = _prepare(tree)
    body = tree.body
    page = _Page(body) if body is not None else None
    head = tree.head
    head_nodes = head.css('meta, title, link[rel], script[type*="ld+json"], script:not([type])') if head is not None else []
    md = extract_metadata(tree, url, head_nodes + (page.head_like if page else []) + h1s)
    title = md["title"]
    paragraphs = _main_paragraphs(page, marked, md.get("ld_body")) if page else []
    summary, summary_headings = _summary_points(page) if page else ([], [])
    body = clean_paragraphs(paragraphs, title)
    if summary:
        points = {fold(point) for point in [*summary, *summary_headings]}
        body = [paragraph for paragraph in body if fold(paragraph) not in points]
    return Document(
        url=url,
        title=title,
        text="\n\n".join(body),
        authors=md["authors"],
        published=md["published"],
        modified=md["modified"],
        language=md["language"],
        canonical_url=md["canonical_url"],
        site_name=md["site_name"],
        section=md["section"],
        tags=md["tags"],
        description=md["description"],
        image=md["image"],
        summary_points=tuple(summary),
    )


_LD_BODY_BREAK = re.compile(r"\n\s*\n|\r?\n")


def _main_paragraphs(page: _Page, marked: set[int], ld_body: str | None) -> list[str]:
    paras: list[str] = []
    if marked:
        roots = [e.order for e in page.els if e.text_len >= 200 and e.node.mem_id in marked]
        if len(roots) == 1:
            lead = page.lead_before(roots[0])
            if lead is not None:
                page.protected.add(lead)
                roots.insert(0, lead)
            paras = page.paragraphs(roots)
    if not paras:
        paras = page.paragraphs(page.pick())
    if sum(len(p) for p in paras) < 200:
        if ld_body and len(ld_body) > 200:
            return [p for p in _LD_BODY_BREAK.split(ld_body) if p.strip()]
        return _noscript_paragraphs(page) or paras
    return paras


def _noscript_paragraphs(page: _Page) -> list[str]:
    """The article of a page that writes its body with JavaScript and keeps a copy inside <noscript> (blog
    platforms do): the largest <noscript> with prose, read as a page of its own."""
    best = None
    best_len = 400
    for node in page.els[0].node.css("noscript"):
        size = len(node.text(deep=True) or "")
        if size > best_len:
            best, best_len = node, size
    if best is None:
        return []
    inner = _Page(best)
    return inner.paragraphs(inner.pick())


# ---------------------------------------------------------------------------------------------------------
# plain text pages

_BULLET = re.compile(r"^\s*[•·▪◦●‣∙*–-]\s+")


def extract_text_page(text: str, url: str | None = None) -> Document:
    """A page saved as text the way a browser shows it: one block per line, title first, boilerplate included.

    The first non-empty line is the title (repeats of it are dropped); bullet lines before the body are the
    summary points, kept apart from the body; the rest goes through the same cleaning rules as HTML.
    """
    return _extract_text_page(text, url)


def _extract_text_page(text: str, url: str | None) -> Document:
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, (bytes, bytearray)) else ""
    lines = [normalize_text(line) for line in text.replace("\x00", "").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return Document(url=url, title=None, text="")
    title = lines[0]
    title_key = fold(title)
    rest = lines[1:]
    summary: list[str] = []
    i = 0
    while i < len(rest):
        line = rest[i]
        if fold(line) == title_key:
            i += 1
            continue
        if _BULLET.match(line):
            summary.append(_BULLET.sub("", line).strip())
            i += 1
            continue
        break
    body = clean_paragraphs(rest[i:], title)
    return Document(url=url, title=title, text="\n\n".join(body), summary_points=tuple(summary))


# ---------------------------------------------------------------------------------------------------------
# benchmark adapter


def bench_extract(html: str, url: str | None) -> dict[str, Any]:
    """Adapter for the shared scorer (bench_extract.py): text plus the metadata it scores."""
    doc = extract_document(html, url)
    return {"text": doc.text, "title": doc.title, "authors": list(doc.authors), "published": doc.published}
