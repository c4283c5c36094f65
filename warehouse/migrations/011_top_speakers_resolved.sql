-- The speaker rankings count speakers resolved to one of their article's entities (speaker_label set). Since
-- unnamed sources are kept as written ("One strategist", "a spokesman", speaker_label NULL), counting them would
-- rank "a spokesman" of a hundred articles as one person. They stay in quotes and quotes_with_context.

CREATE OR REPLACE VIEW top_speakers AS
SELECT speaker, speaker_label, speaker_entity_id, COUNT(*) AS quotes, COUNT(DISTINCT article_id) AS articles
FROM quotes
WHERE speaker_label IS NOT NULL AND kind <> 'scare'
GROUP BY ALL;

CREATE OR REPLACE VIEW top_speakers_by_story AS
SELECT q.speaker, q.speaker_label, q.speaker_entity_id, COUNT(*) AS quotes,
       COUNT(DISTINCT q.article_id) AS articles, COUNT(DISTINCT a.story_id) AS stories
FROM quotes q JOIN articles a USING (article_id)
WHERE q.speaker_label IS NOT NULL AND q.kind <> 'scare'
GROUP BY ALL;
