-- The customer's side: each complaint's time zone (dates in emails and pages), private status links
-- (only a hash of the token is kept; revoking a row ends its link), and server secrets kept in the
-- database when LINK_SECRET is not configured.
ALTER TABLE "complaints" ADD COLUMN "time_zone" TEXT NOT NULL DEFAULT 'UTC';

-- CreateTable
CREATE TABLE "status_links" (
    "id" SERIAL NOT NULL,
    "complaint_id" INTEGER NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "status_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "app_secrets" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_secrets_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "status_links_token_hash_key" ON "status_links"("token_hash");

-- One open link per complaint (Prisma's schema cannot say a partial index).
CREATE UNIQUE INDEX "status_links_open_per_complaint" ON "status_links"("complaint_id") WHERE "revoked_at" IS NULL;

-- AddForeignKey
ALTER TABLE "status_links" ADD CONSTRAINT "status_links_complaint_id_fkey" FOREIGN KEY ("complaint_id") REFERENCES "complaints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
