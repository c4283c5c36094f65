-- The tables that grow with every loaded article carry no primary key (no index) any more: articles,
-- article_versions, quotes, entity_mentions and story_signatures.
--
-- Why: DuckDB (1.5) appends to a table that has an index in its last row group (up to 122,880 rows) and, at
-- every checkpoint after an insert, rewrites and recompresses that whole row group. A run closes the database
-- after each batch (so analysts can read between loads), which checkpoints, so every batch recompressed all the
-- article and version texts loaded so far: load CPU grew with the database (4.8 -> 9.5 ms an article over a
-- 5,000-page run) and so did the memory of each checkpoint. A table without an index gets a new row group for
-- rows appended after a checkpoint, so a batch's checkpoint writes only that batch (bench/results.md, "Issue 18:
-- flat load"). The keys are still unique: warehouse/load.py, the single writer, upserts by key (MERGE, or a
-- DELETE of the batch's articles before their rows go in), and tests/test_warehouse.py checks it.
-- Column order is the one these tables had, so a fresh and a migrated database read the same with SELECT *.

CREATE TABLE articles_unindexed (
    article_id           VARCHAR NOT NULL,
    url                  VARCHAR NOT NULL,    -- canonical URL (rel=canonical when the page gives one)
    fetched_url          VARCHAR,             -- the URL it was last fetched from
    source               VARCHAR,
    site_name            VARCHAR,
    title                VARCHAR,
    authors              VARCHAR[],
    published            TIMESTAMPTZ,
    modified             TIMESTAMPTZ,
    language             VARCHAR,
    section              VARCHAR,
    tags                 VARCHAR[],
    description          VARCHAR,
    image                VARCHAR,
    summary_points       VARCHAR[],
    text                 VARCHAR,             -- clean body, paragraphs separated by a blank line
    word_count           INTEGER,
    content_hash         VARCHAR,             -- sha256 of title and text: a change makes a new version
    version              INTEGER NOT NULL,
    first_seen_at        TIMESTAMPTZ,
    fetched_at           TIMESTAMPTZ,
    run_id               VARCHAR,             -- run that last loaded it
    warc_path            VARCHAR,             -- raw response in the archive, for reprocess
    warc_offset          BIGINT,
    warc_length          BIGINT,
    analysis_error       VARCHAR,             -- set when quotes or entities failed for this text
    published_local_date DATE,
    declared_language    VARCHAR,
    analysis_note        VARCHAR,
    story_id             VARCHAR
);
INSERT INTO articles_unindexed BY NAME SELECT * FROM articles;
DROP TABLE articles;
ALTER TABLE articles_unindexed RENAME TO articles;

CREATE TABLE article_versions_unindexed (
    article_id   VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    title        VARCHAR,
    text         VARCHAR,
    content_hash VARCHAR NOT NULL,
    fetched_at   TIMESTAMPTZ,
    run_id       VARCHAR,
    warc_path    VARCHAR,
    warc_offset  BIGINT,
    warc_length  BIGINT
);
INSERT INTO article_versions_unindexed BY NAME SELECT * FROM article_versions;
DROP TABLE article_versions;
ALTER TABLE article_versions_unindexed RENAME TO article_versions;

CREATE TABLE quotes_unindexed (
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
    kind              VARCHAR NOT NULL   -- 'full', 'partial', 'scare'
);
INSERT INTO quotes_unindexed BY NAME SELECT * FROM quotes;
DROP TABLE quotes;
ALTER TABLE quotes_unindexed RENAME TO quotes;

CREATE TABLE entity_mentions_unindexed (
    article_id    VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    mention_count INTEGER NOT NULL,
    first_start   INTEGER,               -- offsets of the first mention in articles.text
    first_end     INTEGER,
    surfaces      VARCHAR[],             -- distinct forms as written ('Blinken', 'Antony Blinken')
    role          VARCHAR,               -- for people: the role this article gives them
    name_key      VARCHAR                -- what entity_id is made from (migration 009)
);
INSERT INTO entity_mentions_unindexed BY NAME SELECT * FROM entity_mentions;
DROP TABLE entity_mentions;
ALTER TABLE entity_mentions_unindexed RENAME TO entity_mentions;

CREATE TABLE story_signatures_unindexed (
    article_id   VARCHAR NOT NULL,
    content_hash VARCHAR,               -- articles.content_hash the signature was made from
    shingles     INTEGER NOT NULL,      -- distinct 5-word shingles in the text
    signature    UINTEGER[]             -- MinHash minima; NULL when the text is too short to join a story
);
INSERT INTO story_signatures_unindexed BY NAME SELECT * FROM story_signatures;
DROP TABLE story_signatures;
ALTER TABLE story_signatures_unindexed RENAME TO story_signatures;
