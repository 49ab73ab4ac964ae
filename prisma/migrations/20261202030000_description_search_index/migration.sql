-- `GET /complaints?q=` searches descriptions with ILIKE '%…%': a trigram index answers it without
-- reading every complaint.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS "complaints_description_trgm_idx" ON "complaints" USING gin ("description" gin_trgm_ops);
