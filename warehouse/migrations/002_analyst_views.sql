-- Views for analysts: plain SQL over the tables, recreated by later migrations when they change.

CREATE OR REPLACE VIEW quotes_with_context AS
SELECT q.article_id, q.ordinal, q.quote, q.kind, q.speaker, q.speaker_text, q.speaker_label,
       q.speaker_entity_id, q.verb, a.title, a.url, a.source, a.site_name, a.published,
       CAST(a.published AS DATE) AS published_day
FROM quotes q JOIN articles a USING (article_id);

CREATE OR REPLACE VIEW entity_counts_per_day AS
SELECT CAST(COALESCE(a.published, a.fetched_at) AS DATE) AS day, m.entity_id, m.label, e.name,
       COUNT(*) AS articles, SUM(m.mention_count) AS mentions
FROM entity_mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)
GROUP BY ALL;

CREATE OR REPLACE VIEW top_speakers AS
SELECT speaker, speaker_label, speaker_entity_id, COUNT(*) AS quotes, COUNT(DISTINCT article_id) AS articles
FROM quotes
WHERE speaker IS NOT NULL AND kind <> 'scare'
GROUP BY ALL;

CREATE OR REPLACE VIEW articles_per_day AS
SELECT CAST(COALESCE(published, fetched_at) AS DATE) AS day, source, COUNT(*) AS articles,
       SUM(word_count) AS words
FROM articles GROUP BY ALL;

CREATE OR REPLACE VIEW run_outcomes AS
SELECT r.run_id, r.flow, r.started_at, r.status, f.kind, f.outcome, COUNT(*) AS urls
FROM runs r JOIN fetch_log f USING (run_id)
GROUP BY ALL;
