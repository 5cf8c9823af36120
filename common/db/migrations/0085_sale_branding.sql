-- Per-sale branding of the fan's pages (waiting room, checkout, order): a logo, colours, a headline
-- and the organiser's message in Markdown, kept as given and rendered sanitised by the pages
-- (checkout/pages/static/brand/markdown.js escapes every character of HTML). Validated by the
-- admin API (sale PATCH); {} is "no branding".
ALTER TABLE sales ADD COLUMN branding jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(branding) = 'object');
