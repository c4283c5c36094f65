-- Cross-article label reconciliation. entity_id is sha256("LABEL|name_key")[:16] (tasks/ids.py), so one name
-- labelled PERSON in one article and GPE in another ("Port Calder", "Chelsea") is two entities. These views
-- give every mention the label most articles give that name, and the entity_id of that label, without
-- rewriting the stored rows (each article keeps what its own text said; the views follow every load).

-- The normalised name the entity_id is made from (tasks.text_rules.normalise_name: NFKC, lowercase, straight
-- apostrophes, dots as spaces, single spaces). The loader writes it; rows loaded before this migration get the
-- same key computed in SQL (NFC instead of NFKC: only compatibility characters such as ligatures differ).
ALTER TABLE entity_mentions ADD COLUMN IF NOT EXISTS name_key VARCHAR;
UPDATE entity_mentions
SET name_key = trim(regexp_replace(replace(replace(replace(lower(nfc_normalize(name)), chr(8217), ''''), '.', ' '),
                                           chr(8208), '-'), '\s+', ' ', 'g'))
WHERE name_key IS NULL;

-- How many articles (and mentions) give each name each label.
CREATE OR REPLACE VIEW entity_label_votes AS
SELECT name_key, label, COUNT(DISTINCT article_id) AS articles, SUM(mention_count) AS mentions
FROM entity_mentions
WHERE name_key IS NOT NULL
GROUP BY ALL;

-- The majority label of each name: most articles, then most mentions. A tie on both has no majority (no row),
-- so each article keeps its own label there.
CREATE OR REPLACE VIEW entity_majority_labels AS
WITH ranked AS (
    SELECT name_key, label, articles, mentions,
           rank() OVER (PARTITION BY name_key ORDER BY articles DESC, mentions DESC) AS place,
           COUNT(*) OVER (PARTITION BY name_key) AS labels,
           SUM(articles) OVER (PARTITION BY name_key) AS label_articles
    FROM entity_label_votes
)
SELECT name_key, label AS majority_label, articles AS majority_articles, label_articles, labels
FROM ranked
WHERE place = 1
QUALIFY COUNT(*) OVER (PARTITION BY name_key) = 1;

-- entity_mentions with the reconciled label and the entity_id that label gives the same name.
CREATE OR REPLACE VIEW entity_mentions_reconciled AS
SELECT m.*,
       COALESCE(j.majority_label, m.label) AS reconciled_label,
       CASE WHEN j.majority_label IS NULL OR j.majority_label = m.label THEN m.entity_id
            ELSE left(sha256(j.majority_label || '|' || m.name_key), 16) END AS reconciled_entity_id
FROM entity_mentions m LEFT JOIN entity_majority_labels j USING (name_key);
