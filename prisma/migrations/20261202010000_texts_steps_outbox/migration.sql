-- AlterTable
ALTER TABLE "complaints" ADD COLUMN     "withdrawn_at" TIMESTAMP(3),
ADD COLUMN     "workflow_step" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "complaint_events" ADD COLUMN     "step" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "email_messages" ADD COLUMN     "error" TEXT;

-- CreateTable
CREATE TABLE "complaint_texts" (
    "id" SERIAL NOT NULL,
    "complaint_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "author_id" INTEGER,
    "request_key" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "complaint_texts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "complaint_texts_request_key_key" ON "complaint_texts"("request_key");

-- CreateIndex
CREATE INDEX "complaint_texts_complaint_id_idx" ON "complaint_texts"("complaint_id");

-- CreateIndex
CREATE INDEX "complaint_events_complaint_id_step_idx" ON "complaint_events"("complaint_id", "step");

-- AddForeignKey
ALTER TABLE "complaint_texts" ADD CONSTRAINT "complaint_texts_complaint_id_fkey" FOREIGN KEY ("complaint_id") REFERENCES "complaints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

