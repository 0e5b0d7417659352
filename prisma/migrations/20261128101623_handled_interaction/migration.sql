-- CreateTable
CREATE TABLE "handled_interaction" (
    "id" BIGINT NOT NULL,
    "handled_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "handled_interaction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "handled_interaction_handled_at_idx" ON "handled_interaction"("handled_at");
