"""Where each metadata field is read from, as data: meta keys (property/name/itemprop/http-equiv, lower-case) and
CSS selectors, each list in order of trust. tasks.metadata walks them; a new source is a new entry here."""

from __future__ import annotations

SITE_NAME_META = ("og:site_name", "application-name", "al:ios:app_name")
TITLE_META = (
    "dc:title", "dc.title", "dcterm:title", "dcterms:title", "dcterms.title", "og:title", "twitter:title",
    "parsely-title", "sailthru.title",
)
SECTION_FOR_TITLE_META = ("article:section",)
AUTHOR_LD = ("author", "creator")
AUTHOR_META = (
    "dc:creator", "dc.creator", "dcterm:creator", "dcterms:creator", "dcterms.creator", "author",
    "article:author", "og:article:author", "byl", "parsely-author", "sailthru.author", "twitter:creator:name",
)
PUBLISHED_LD = ("datePublished",)
PUBLISHED_META = (
    "article:published_time", "og:published_time", "article:published", "datepublished",
    "pubdate", "publishdate", "publish-date", "publish_date", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dc:date", "dc.date", "dcterms.date", "dcterms:created", "dcterms.created", "date", "og:pubdate",
    "article.published", "published_time", "cxenseparse:recs:publishtime",
)
# any other meta whose key names a publication or creation date ("sw-pubdate", "publication_date", "og:article:
# published_time"), when none of the keys above is there; never one that names a change or an expiry
PUBLISHED_META_PATTERN = r"publi|pubdate|creat|(?:^|[:._-])date(?:$|[:._-])"
NOT_PUBLISHED_META_PATTERN = r"modif|updat|expir|lastmod|revis|change|valid|event|start|end|birth"
CREATED_LD = ("dateCreated", "uploadDate")
# keys of a publication date in a page's script state (JSON or a JS object literal), as sites spell them
STATE_PUBLISHED_KEYS = (
    "datePublished", "publishedAt", "published_at", "publishDate", "publish_date", "publicationDate",
    "publication_date", "firstPublishDate", "firstPublishedDate", "createdAt", "created_at", "pubDate", "pubdate",
)
MODIFIED_LD = ("dateModified",)
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
LANGUAGE_META = ("og:locale", "content-language", "language", "dc.language")
SECTION_META = ("article:section", "section", "parsely-section", "sailthru.section")
TAGS_META = ("news_keywords", "keywords", "parsely-tags", "sailthru.tags")
DESCRIPTION_META = ("og:description", "description", "twitter:description", "dc.description")
IMAGE_LD = ("image", "thumbnailUrl")
IMAGE_META = ("og:image", "og:image:url", "twitter:image", "twitter:image:src")

# an element after the headline whose own text a byline label starts, in the languages of the open web ("Von Jane
# Doe", "Por Agencia EFE", "Written by: Jane Doe", "Autorin: Uta Roe, Projektleiterin"), read where no element is
# marked; as written at the start (capitalised or in capitals: "von Goethe" is the rest of a sentence)
BYLINE_LABELS = (
    "Written by", "Posted by", "Text von", "Ein Beitrag von", "Gastbeitrag von", "Autor", "Autorin", "Author",
    "Auteur", "Autore", "Texto",
)
# labels that are also prepositions ("Von Walzer und Mozartkugeln" starts a headline): only before full names
BYLINE_PREPOSITIONS = ("By", "Von", "Par", "Por", "Di", "Door", "Av")
# bylines in the page, and the elements a page marks its date with
BYLINE_SELECTOR = '[rel="author"], [itemprop~="author"], [class*="byline" i], [class*="author" i]'
DATE_SELECTOR = (
    '[itemprop="datePublished"], [property$="datePublished"], [itemprop="dateCreated"], [property$="dateCreated"], '
    'abbr[class~="published"][title], [class~="published"][title], time[pubdate], time[datetime]'
)
# elements whose class or id says they hold the date people read ("meta__date", "post-date", "datum", "fecha")
DATE_HINT_SELECTOR = (
    '[class*="date" i], [class*="datum" i], [class*="time" i], [class*="publi" i], [class*="posted" i], '
    '[class*="meta" i], [class*="byline" i], [class*="info" i], [class*="author" i], [id*="date" i], '
    '[class~="submitted"], '
    'time, abbr[title], small, em'
)
# the elements whose date a reader sees as the article's, checked against the declared date (kept narrow: it runs
# on every page): <time>, and elements whose class holds one of these words (ASCII case aside)
SHOWN_DATE_TAG = "time"
SHOWN_DATE_CLASS_WORDS = ("date", "datum")
# words before a date that say which date it is, in the languages of the open web
PUBLISHED_WORDS = (
    r"published|posted|created|veröffentlicht|erstellt|erschienen|gepostet|publié|publication|publicado|publicación"
    r"|pubblicato|gepubliceerd|geplaatst|opublikowano|publicerad|udgivet|julkaistu"
)
MODIFIED_WORDS = (
    r"updated|modified|last edited|aktualisiert|geändert|zuletzt|mis à jour|modifié|actualizado|actualización"
    r"|aggiornato|bijgewerkt|zaktualizowano|uppdaterad|opdateret|päivitetty"
)
# a time written relative to now ("1 minute ago", "vor 3 Stunden", "il y a 2 jours", "Yesterday"): a <time> with
# one shows people the day of its datetime attribute
RELATIVE_TIME_WORDS = (
    r"\bago\b|just now|yesterday|today|\bvor\b|gestern|heute|il y a|\bhier\b|aujourd|hace|ayer|\bhoy\b|\bfa\b"
    r"|ieri|oggi|geleden|gisteren|vandaag|\btemu\b|wczoraj|dzisiaj|sedan|igår|idag|siden|sitten|eilen|tänään"
)
# labels before a publication date in running text ("Veröffentlicht am 16.08.2019", "Datum: 03.11.2021")
DATE_LABELS = (
    "published", "posted", "created", "veröffentlicht", "erstellt", "erschienen", "wurde am", "datum", "date:",
    "publié", "publicado", "pubblicato", "gepubliceerd", "fecha",
)
# an ancestor with one of these says the date belongs to something else on the page (a comment, a teaser)
# (a class token that starts with one: "comments", "sidebar-right", "related_posts"; not "footerRow", which is layout)
DATE_ELSEWHERE_HINTS = (
    r"comment|sidebar|widget|related|teaser|recommend|popular|footer|calendar|kalender|archiv|agenda|event"
    r"|termin|newsletter|weitere|more|trending|kommentar"
)# an ancestor whose class names the site's top or navigation bar, which shows today's date (anywhere in a class:
# "jeg_topbar", "header-top-menu", "current-date")
SITE_BAR_HINTS = r"top[-_]?bar|nav[-_]?bar|header[-_]top|top[-_]?header|current[-_]?date|today"
# a date element's own class that says it is a comment's or a reply's
COMMENT_HINTS = r"comment|kommentar|reply|replies|leserbrief"
