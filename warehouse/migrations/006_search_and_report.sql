-- For `newsdesk search` and `newsdesk report`.

-- When the full-text index (schema fts_main_articles, built by warehouse/search.py) was last built, and a
-- fingerprint of the articles it covered, so a search can tell a stale index from a current one.
CREATE TABLE IF NOT EXISTS search_index (
    built_at     TIMESTAMPTZ NOT NULL,
    articles     BIGINT NOT NULL,
    fingerprint  UBIGINT NOT NULL
);

-- Why URLs failed, per run and source: the report's "top failure reasons", and for analysts.
CREATE OR REPLACE VIEW fetch_failure_reasons AS
SELECT r.run_id, r.flow, r.started_at, f.source, f.kind, f.status_code, f.reason, COUNT(*) AS urls
FROM runs r JOIN fetch_log f USING (run_id)
WHERE f.outcome = 'failed'
GROUP BY ALL;

-- Outcomes per run and source (run_outcomes has no source), so a report for one source counts only its URLs.
CREATE OR REPLACE VIEW run_outcomes_by_source AS
SELECT r.run_id, r.flow, r.started_at, r.status, f.source, f.kind, f.outcome, COUNT(*) AS urls
FROM runs r JOIN fetch_log f USING (run_id)
GROUP BY ALL;

-- entity_counts_per_day split by source.
CREATE OR REPLACE VIEW entity_counts_per_day_by_source AS
SELECT CAST(COALESCE(a.published, a.fetched_at) AS DATE) AS day, a.source, m.entity_id, m.label, e.name,
       COUNT(*) AS articles, SUM(m.mention_count) AS mentions
FROM entity_mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)
GROUP BY ALL;
