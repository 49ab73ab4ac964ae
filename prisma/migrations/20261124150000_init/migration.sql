-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "complaints" (
    "id" SERIAL NOT NULL,
    "reference" TEXT NOT NULL,
    "customer_name" TEXT NOT NULL,
    "customer_email" TEXT NOT NULL,
    "customer_phone" TEXT,
    "customer_address" TEXT,
    "channel" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "occurred_on" DATE NOT NULL,
    "product" TEXT NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'en',
    "stage" TEXT NOT NULL DEFAULT 'received',
    "valid" BOOLEAN,
    "rejection_reason" TEXT,
    "category" TEXT,
    "severity" TEXT,
    "department" TEXT,
    "owner_id" INTEGER,
    "flag_legal" BOOLEAN NOT NULL DEFAULT false,
    "flag_safety" BOOLEAN NOT NULL DEFAULT false,
    "flag_financial" BOOLEAN NOT NULL DEFAULT false,
    "priority" TEXT NOT NULL DEFAULT 'normal',
    "root_cause" TEXT,
    "root_cause_detail" TEXT,
    "report" TEXT,
    "resolution_code" TEXT,
    "resolution_summary" TEXT,
    "remedy" TEXT,
    "signed_off_by_id" INTEGER,
    "signed_off_at" TIMESTAMP(3),
    "letter_text" TEXT,
    "outcome" TEXT,
    "reopen_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "acknowledged_at" TIMESTAMP(3),
    "resolved_at" TIMESTAMP(3),
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "complaints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "complaint_events" (
    "id" BIGSERIAL NOT NULL,
    "complaint_id" INTEGER NOT NULL,
    "event_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actor_id" INTEGER,
    "data" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "complaint_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_messages" (
    "id" SERIAL NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "complaint_id" INTEGER,
    "kind" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text_body" TEXT NOT NULL,
    "html_body" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMP(3),

    CONSTRAINT "email_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "department" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "departments" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,

    CONSTRAINT "departments_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "escalations" (
    "id" SERIAL NOT NULL,
    "complaint_id" INTEGER NOT NULL,
    "clock" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "staff_id" INTEGER,
    "deadline" TIMESTAMP(3) NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "escalations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_responses" (
    "id" SERIAL NOT NULL,
    "complaint_id" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "score" INTEGER NOT NULL,
    "resolved" BOOLEAN NOT NULL,
    "comment" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "survey_responses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sla_policies" (
    "severity" TEXT NOT NULL,
    "triage_seconds" INTEGER NOT NULL,
    "first_response_seconds" INTEGER NOT NULL,
    "resolution_seconds" INTEGER NOT NULL,
    "warn_share" DOUBLE PRECISION NOT NULL DEFAULT 0.75,
    "reescalate_seconds" INTEGER NOT NULL,
    "business_hours" JSONB,

    CONSTRAINT "sla_policies_pkey" PRIMARY KEY ("severity")
);

-- CreateTable
CREATE TABLE "list_items" (
    "list" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "list_items_pkey" PRIMARY KEY ("list","code")
);

-- CreateIndex
CREATE UNIQUE INDEX "complaints_reference_key" ON "complaints"("reference");

-- CreateIndex
CREATE INDEX "complaints_stage_idx" ON "complaints"("stage");

-- CreateIndex
CREATE INDEX "complaints_created_at_idx" ON "complaints"("created_at");

-- CreateIndex
CREATE INDEX "complaint_events_type_at_idx" ON "complaint_events"("type", "at");

-- CreateIndex
CREATE UNIQUE INDEX "complaint_events_complaint_id_event_key_key" ON "complaint_events"("complaint_id", "event_key");

-- CreateIndex
CREATE UNIQUE INDEX "email_messages_idempotency_key_key" ON "email_messages"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "staff_email_key" ON "staff"("email");

-- CreateIndex
CREATE UNIQUE INDEX "escalations_complaint_id_clock_level_deadline_key" ON "escalations"("complaint_id", "clock", "level", "deadline");

-- CreateIndex
CREATE UNIQUE INDEX "survey_responses_complaint_id_round_key" ON "survey_responses"("complaint_id", "round");

-- AddForeignKey
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_signed_off_by_id_fkey" FOREIGN KEY ("signed_off_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "complaint_events" ADD CONSTRAINT "complaint_events_complaint_id_fkey" FOREIGN KEY ("complaint_id") REFERENCES "complaints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "complaint_events" ADD CONSTRAINT "complaint_events_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_messages" ADD CONSTRAINT "email_messages_complaint_id_fkey" FOREIGN KEY ("complaint_id") REFERENCES "complaints"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_complaint_id_fkey" FOREIGN KEY ("complaint_id") REFERENCES "complaints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_complaint_id_fkey" FOREIGN KEY ("complaint_id") REFERENCES "complaints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

