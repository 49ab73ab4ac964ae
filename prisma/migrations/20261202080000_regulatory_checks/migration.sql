-- A regulator's clock the workflow could not count is refused by the database (Prisma's schema cannot
-- say CHECK): its unit, what stops it and what its point does are the values workflows/regulatory.ts knows.
ALTER TABLE "regulatory_clocks"
  ADD CONSTRAINT "regulatory_clocks_unit_check" CHECK ("unit" IN ('hours', 'hours_or_business_day', 'calendar_days', 'business_days')),
  ADD CONSTRAINT "regulatory_clocks_met_by_check" CHECK ("met_by" IN ('acknowledgement', 'response', 'final_response')),
  ADD CONSTRAINT "regulatory_clocks_at_point_check" CHECK ("at_point" IN ('letter', 'breach', 'window')),
  ADD CONSTRAINT "regulatory_clocks_letter_check" CHECK ("at_point" <> 'letter' OR "letter_kind" IS NOT NULL),
  ADD CONSTRAINT "regulatory_clocks_amount_check" CHECK ("amount" > 0),
  ADD CONSTRAINT "regulatory_clocks_warn_share_check" CHECK ("warn_share" IS NULL OR ("warn_share" > 0 AND "warn_share" < 1));
ALTER TABLE "regulatory_profiles"
  ADD CONSTRAINT "regulatory_profiles_close_of_business_check" CHECK ("close_of_business" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');
