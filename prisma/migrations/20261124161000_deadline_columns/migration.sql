-- AlterTable
ALTER TABLE "complaints" ADD COLUMN     "first_response_due_at" TIMESTAMP(3),
ADD COLUMN     "resolution_due_at" TIMESTAMP(3),
ADD COLUMN     "triage_due_at" TIMESTAMP(3);

