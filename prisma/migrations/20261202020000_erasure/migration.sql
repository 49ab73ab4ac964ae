-- AlterTable
ALTER TABLE "complaints" ADD COLUMN     "erased_at" TIMESTAMP(3);
