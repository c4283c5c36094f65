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
CREATED_LD = ("dateCreated", "uploadDate")
MODIFIED_LD = ("dateModified",)
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
LANGUAGE_META = ("og:locale", "content-language", "language", "dc.language")
SECTION_META = ("article:section", "section", "parsely-section", "sailthru.section")
TAGS_META = ("news_keywords", "keywords", "parsely-tags", "sailthru.tags")
DESCRIPTION_META = ("og:description", "description", "twitter:description", "dc.description")
IMAGE_LD = ("image", "thumbnailUrl")
IMAGE_META = ("og:image", "og:image:url", "twitter:image", "twitter:image:src")

# bylines in the page, and the elements a page marks its date with
BYLINE_SELECTOR = '[rel="author"], [itemprop~="author"], [class*="byline" i], [class*="author" i]'
DATE_SELECTOR = '[itemprop="datePublished"], time[pubdate], time[datetime]'
