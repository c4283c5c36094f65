-- Example queries for analysts: duckdb data/newsdesk.duckdb -readonly < warehouse/examples.sql

-- Who is quoted most, and in how many articles
SELECT speaker, quotes, articles FROM top_speakers ORDER BY quotes DESC LIMIT 10;

-- Every quote of one person, with the article it came from
SELECT published_day, title, quote FROM quotes_with_context
WHERE speaker = 'Dana Whitfield' ORDER BY published_day, ordinal;

-- People mentioned in the most articles, with the role the latest article gives them (labels reconciled across
-- articles: a name most articles call a place is not counted as a person where one article got it wrong)
SELECT e.name, COUNT(*) AS articles, arg_max(m.role, a.published) AS latest_role
FROM entity_mentions_reconciled m JOIN entities e ON e.entity_id = m.reconciled_entity_id JOIN articles a USING (article_id)
WHERE m.reconciled_label = 'PERSON' GROUP BY e.name ORDER BY articles DESC LIMIT 10;

-- Organisations and places that appear together in the same article
SELECT x.name AS a, y.name AS b, COUNT(*) AS articles
FROM entity_mentions x JOIN entity_mentions y ON x.article_id = y.article_id AND x.entity_id < y.entity_id
WHERE x.label IN ('ORG', 'GPE') AND y.label IN ('ORG', 'GPE')
GROUP BY ALL ORDER BY articles DESC LIMIT 10;

-- What the last run did with each URL it was given
SELECT outcome, COUNT(*) AS urls, any_value(reason) AS example_reason
FROM fetch_log WHERE run_id = (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)
GROUP BY outcome ORDER BY urls DESC;

-- Articles whose text changed between fetches
SELECT a.title, COUNT(*) AS versions FROM article_versions v JOIN articles a USING (article_id)
GROUP BY a.title HAVING COUNT(*) > 1;

-- Stories (copies of one article across sites counted once) per day
SELECT day, stories, articles, syndicated_stories FROM stories_per_day ORDER BY day DESC LIMIT 14;

-- Who is quoted in the most distinct stories
SELECT speaker, stories, articles, quotes FROM top_speakers_by_story ORDER BY stories DESC LIMIT 10;

-- The most widely carried stories, with their earliest-published copy
SELECT s.title, s.members, s.sources, a.url AS original
FROM stories s JOIN articles a ON a.article_id = s.representative_article_id
ORDER BY s.members DESC, s.first_published LIMIT 10;
