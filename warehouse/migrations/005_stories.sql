-- Stories: every copy of one article across sites (wire copies, autoblogs, a group's regional papers) shares a
-- story_id. The near-duplicate index lives here, not in memory: per-article MinHash signatures, their LSH band
-- keys (looked up with a join) and the pairs found to be copies; a story is a connected group of such pairs.

ALTER TABLE articles ADD COLUMN IF NOT EXISTS story_id VARCHAR;

CREATE TABLE IF NOT EXISTS story_signatures (
    article_id   VARCHAR PRIMARY KEY,
    content_hash VARCHAR,               -- articles.content_hash the signature was made from
    shingles     INTEGER NOT NULL,      -- distinct 5-word shingles in the text
    signature    UINTEGER[]             -- MinHash minima; NULL when the text is too short to join a story
);

-- One row per (article, band): articles sharing a band_key are candidate copies, checked against signatures.
CREATE TABLE IF NOT EXISTS story_bands (
    band_key   BIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);

-- Pairs judged to be copies of one article (article_a < article_b), with the estimates that decided it.
CREATE TABLE IF NOT EXISTS story_links (
    article_a   VARCHAR NOT NULL,
    article_b   VARCHAR NOT NULL,
    jaccard     DOUBLE,
    containment DOUBLE,
    PRIMARY KEY (article_a, article_b)
);

CREATE TABLE IF NOT EXISTS stories (
    story_id                  VARCHAR PRIMARY KEY,  -- from the story's smallest article_id: stable, order-free
    first_seen_at             TIMESTAMPTZ,          -- earliest first_seen_at of its copies
    first_published           TIMESTAMPTZ,          -- earliest published date of its copies
    representative_article_id VARCHAR,              -- the earliest-published copy (then earliest seen)
    title                     VARCHAR,              -- the representative's title
    members                   INTEGER NOT NULL,     -- copies (articles) in the story
    sources                   VARCHAR[]             -- distinct sources that carried it
);

CREATE OR REPLACE VIEW stories_per_day AS
SELECT CAST(COALESCE(first_published, first_seen_at) AS DATE) AS day, COUNT(*) AS stories,
       SUM(members) AS articles, COUNT(*) FILTER (WHERE members > 1) AS syndicated_stories
FROM stories GROUP BY ALL;

CREATE OR REPLACE VIEW top_speakers_by_story AS
SELECT q.speaker, q.speaker_label, q.speaker_entity_id, COUNT(*) AS quotes,
       COUNT(DISTINCT q.article_id) AS articles, COUNT(DISTINCT a.story_id) AS stories
FROM quotes q JOIN articles a USING (article_id)
WHERE q.speaker IS NOT NULL AND q.kind <> 'scare'
GROUP BY ALL;

CREATE OR REPLACE VIEW entity_counts_per_day_by_story AS
SELECT CAST(COALESCE(a.published, a.fetched_at) AS DATE) AS day, m.entity_id, m.label, e.name,
       COUNT(*) AS articles, COUNT(DISTINCT a.story_id) AS stories, SUM(m.mention_count) AS mentions
FROM entity_mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)
GROUP BY ALL;
