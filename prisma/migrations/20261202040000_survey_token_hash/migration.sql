-- Survey links' tokens are kept as SHA-256 hashes (hex), as API tokens are: a copy of the database no
-- longer opens anyone's survey. Links already sent keep working: their tokens are hashed in place.
ALTER TABLE "survey_invitations" RENAME COLUMN "token" TO "token_hash";
UPDATE "survey_invitations" SET "token_hash" = encode(sha256(convert_to("token_hash", 'UTF8')), 'hex');
