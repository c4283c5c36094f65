-- The publication day as the page states it, in the page's own time zone. `published` (TIMESTAMPTZ) keeps the
-- instant; cast to DATE it gives the day in the session's time zone, which moves an article published at
-- 23:30 in New York (-05:00) to the next day. Analysts' per-day views group by the page's own day.

ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_local_date DATE;

UPDATE articles SET published_local_date = CAST(published AS DATE)
WHERE published_local_date IS NULL AND published IS NOT NULL;

CREATE OR REPLACE VIEW quotes_with_context AS
SELECT q.article_id, q.ordinal, q.quote, q.kind, q.speaker, q.speaker_text, q.speaker_label,
       q.speaker_entity_id, q.verb, a.title, a.url, a.source, a.site_name, a.published,
       COALESCE(a.published_local_date, CAST(a.published AS DATE)) AS published_day
FROM quotes q JOIN articles a USING (article_id);

CREATE OR REPLACE VIEW entity_counts_per_day AS
SELECT COALESCE(a.published_local_date, CAST(COALESCE(a.published, a.fetched_at) AS DATE)) AS day, m.entity_id,
       m.label, e.name, COUNT(*) AS articles, SUM(m.mention_count) AS mentions
FROM entity_mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)
GROUP BY ALL;

CREATE OR REPLACE VIEW articles_per_day AS
SELECT COALESCE(published_local_date, CAST(COALESCE(published, fetched_at) AS DATE)) AS day, source,
       COUNT(*) AS articles, SUM(word_count) AS words
FROM articles GROUP BY ALL;
