-- AlterTable
ALTER TABLE "character" ADD COLUMN     "skill_queue_ends_at" TIMESTAMP(3);
