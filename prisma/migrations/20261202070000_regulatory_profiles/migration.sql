-- AlterTable
ALTER TABLE "complaints" ADD COLUMN     "product_group" TEXT,
ADD COLUMN     "redress_amount" DECIMAL(12,2),
ADD COLUMN     "regulation" TEXT,
ADD COLUMN     "summary_resolution" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "upheld" BOOLEAN;

-- CreateTable
CREATE TABLE "regulatory_profiles" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "regulator" TEXT NOT NULL,
    "calendar" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "close_of_business" TEXT NOT NULL DEFAULT '17:00',
    "product_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "channels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "ombudsman_name" TEXT NOT NULL,
    "ombudsman_url" TEXT NOT NULL,

    CONSTRAINT "regulatory_profiles_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "regulatory_clocks" (
    "id" SERIAL NOT NULL,
    "profile_code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "citation" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "unit" TEXT NOT NULL,
    "met_by" TEXT NOT NULL,
    "at_point" TEXT NOT NULL,
    "letter_kind" TEXT,
    "warn_share" DOUBLE PRECISION,

    CONSTRAINT "regulatory_clocks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "public_holidays" (
    "calendar" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "public_holidays_pkey" PRIMARY KEY ("calendar","date")
);

-- CreateIndex
CREATE UNIQUE INDEX "regulatory_clocks_profile_code_name_key" ON "regulatory_clocks"("profile_code", "name");

-- CreateIndex
CREATE INDEX "complaints_regulation_created_at_idx" ON "complaints"("regulation", "created_at");

-- AddForeignKey
ALTER TABLE "regulatory_clocks" ADD CONSTRAINT "regulatory_clocks_profile_code_fkey" FOREIGN KEY ("profile_code") REFERENCES "regulatory_profiles"("code") ON DELETE CASCADE ON UPDATE CASCADE;

