-- Why an article's quotes and entities come from less than its whole text (e.g. the nlp_max_chars cap on a very
-- long page). Issue 12's migration adds the same column for its own notes: IF NOT EXISTS lets both apply.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS analysis_note VARCHAR;
