-- Languages (issue 12): articles.language is now the language of the text (ISO 639-1, detected, the page's
-- declaration only a hint); what the page declared is kept beside it, and analysis_note says why part of the
-- analysis was left out ('no entity model for de'). analysis_note is also added by another migration (the NLP
-- length cap), hence IF NOT EXISTS on both sides.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS declared_language VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS analysis_note VARCHAR;
