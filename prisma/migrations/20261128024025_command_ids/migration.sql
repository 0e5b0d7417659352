-- AlterTable
ALTER TABLE "command_registration" ADD COLUMN     "ids" JSONB;
