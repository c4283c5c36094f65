-- The core tables. Article ids are the first 16 hex digits of sha256(canonical URL); entity ids the same of
-- label || ':' || normalised name, so the same story and the same person get the same id in every run.

CREATE TABLE runs (
    run_id       VARCHAR PRIMARY KEY,   -- Prefect flow run id
    flow         VARCHAR NOT NULL,      -- 'scrape' or 'reprocess'
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL,      -- 'running', 'completed', 'failed', 'interrupted' (killed)
    parameters   JSON,
    urls_total   INTEGER,
    loaded       INTEGER,
    unchanged    INTEGER,
    duplicate    INTEGER,
    robots       INTEGER,
    skipped      INTEGER,
    failed       INTEGER,
    message      VARCHAR
);

-- One row per URL a run was given or discovered (articles, and the feeds / sitemaps / lists themselves).
CREATE TABLE fetch_log (
    run_id        VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,     -- canonical form of the URL as given or discovered
    kind          VARCHAR NOT NULL,     -- 'article', 'feed', 'sitemap', 'url_list'
    source        VARCHAR,
    found_in      VARCHAR,              -- feed / sitemap / file it came from
    outcome       VARCHAR NOT NULL,     -- loaded, unchanged, duplicate, robots, skipped, failed
    status_code   INTEGER,
    reason        VARCHAR,
    final_url     VARCHAR,              -- after redirects
    article_id    VARCHAR,
    content_type  VARCHAR,
    n_bytes       BIGINT,
    elapsed_ms    INTEGER,
    fetched_at    TIMESTAMPTZ,
    etag          VARCHAR,
    last_modified VARCHAR,
    warc_path     VARCHAR,
    warc_offset   BIGINT,
    warc_length   BIGINT,
    PRIMARY KEY (run_id, url)
);

CREATE TABLE articles (
    article_id     VARCHAR PRIMARY KEY,
    url            VARCHAR NOT NULL,    -- canonical URL (rel=canonical when the page gives one)
    fetched_url    VARCHAR,             -- the URL it was last fetched from
    source         VARCHAR,
    site_name      VARCHAR,
    title          VARCHAR,
    authors        VARCHAR[],
    published      TIMESTAMPTZ,
    modified       TIMESTAMPTZ,
    language       VARCHAR,
    section        VARCHAR,
    tags           VARCHAR[],
    description    VARCHAR,
    image          VARCHAR,
    summary_points VARCHAR[],
    text           VARCHAR,             -- clean body, paragraphs separated by a blank line
    word_count     INTEGER,
    content_hash   VARCHAR,             -- sha256 of title and text: a change makes a new version
    version        INTEGER NOT NULL,
    first_seen_at  TIMESTAMPTZ,
    fetched_at     TIMESTAMPTZ,
    run_id         VARCHAR,             -- run that last loaded it
    warc_path      VARCHAR,             -- raw response in the archive, for reprocess
    warc_offset    BIGINT,
    warc_length    BIGINT,
    analysis_error VARCHAR              -- set when quotes or entities failed for this text
);

-- Every distinct text an article has had; the current one is also in articles.
CREATE TABLE article_versions (
    article_id   VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    title        VARCHAR,
    text         VARCHAR,
    content_hash VARCHAR NOT NULL,
    fetched_at   TIMESTAMPTZ,
    run_id       VARCHAR,
    warc_path    VARCHAR,
    warc_offset  BIGINT,
    warc_length  BIGINT,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE quotes (
    article_id        VARCHAR NOT NULL,
    ordinal           INTEGER NOT NULL,  -- 0-based order in the text
    quote             VARCHAR NOT NULL,
    start_offset      INTEGER,           -- character offsets into articles.text, inside the quote marks
    end_offset        INTEGER,
    speaker_text      VARCHAR,           -- as written near the quote ('he', 'Zhu', 'the mayor')
    speaker           VARCHAR,           -- resolved name
    speaker_label     VARCHAR,           -- PERSON, ORG, GPE ... or NULL
    speaker_entity_id VARCHAR,           -- entities.entity_id when the speaker is a known entity
    verb              VARCHAR,
    kind              VARCHAR NOT NULL,  -- 'full', 'partial', 'scare'
    PRIMARY KEY (article_id, ordinal)
);

CREATE TABLE entities (
    entity_id     VARCHAR PRIMARY KEY,
    label         VARCHAR NOT NULL,      -- spaCy label: PERSON, ORG, GPE, LOC, NORP, ...
    name          VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ
);

-- One row per (article, entity): all mentions of one entity in one article folded together.
CREATE TABLE entity_mentions (
    article_id    VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    mention_count INTEGER NOT NULL,
    first_start   INTEGER,               -- offsets of the first mention in articles.text
    first_end     INTEGER,
    surfaces      VARCHAR[],             -- distinct forms as written ('Blinken', 'Antony Blinken')
    role          VARCHAR,               -- for people: the role this article gives them
    PRIMARY KEY (article_id, entity_id)
);
