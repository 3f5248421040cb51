// Package inbound turns stored WhatsApp webhook deliveries into customers,
// tickets and messages, and downloads inbound media.
//
// # Processor
//
// The webhook endpoint commits every valid delivery as one pending row of
// webhook_inbox before Meta gets its 200 (internal/inbox). The Processor
// drains those rows in id order: it claims a batch (SELECT … FOR UPDATE
// SKIP LOCKED on PostgreSQL, so several instances never take the same row;
// SQLite has one writer), parses each delivery, routes every change by
// metadata.phone_number_id, translates every message and status
// (Translate) and applies them through the helpdesk rules
// (helpdesk.Service.ApplyInbound, ApplyStatus) — and marks the rows done in
// the same transaction. A crash at any point therefore loses nothing (the
// rows are still pending) and doubles nothing (re-applying a wamid is a
// no-op, statuses only move forward).
//
// A batch that fails for another reason than a lost race is redone one
// delivery per transaction, so one bad delivery never holds up the others;
// a delivery that keeps failing is parked as failed with the reason after
// MaxAttempts, kept for inspection. Races between instances (two creating
// the same customer or the same customer's ticket) end in a unique
// violation — tickets_one_open_conversation allows one live conversation
// per customer and channel — and the transaction is simply run again.
//
// The processor wakes on the inbox writer's commit signal, on NOTIFY
// wadesk_inbox from other instances (Listen, PostgreSQL) and on a poll.
//
// # Routing
//
// A change goes to the active channel whose phone_number_id it names. A
// delivery received on channel A's URL may carry changes for channel B of
// the same Meta app; they are accepted only when B's app secret equals A's.
// Changes for unknown or inactive numbers are counted, logged and noted on
// the inbox row (state ignored when nothing in it was routable), never
// turned into tickets. Template status and quality updates change the
// stored templates of the receiving channel's WABA; other fields are
// acknowledged and counted.
//
// # Decisions
//
//   - Reactions whose target message is not stored on the channel are
//     dropped and counted (wadesk_inbound_items_total{outcome=
//     "reaction_dropped"}): inbound targets are always stored first, and an
//     outbound target's wamid is recorded long before a customer can react.
//   - Statuses whose message is not stored yet are kept in pending_statuses.
//     The outbound send worker calls helpdesk.Service.ApplyPendingStatuses
//     in the transaction that stores a wamid, which applies them in
//     precedence order.
//   - Within a batch, messages are applied in Meta-timestamp order, and each
//     ticket is written once, relative to the stored row (an agent's
//     concurrent change is kept); one reminder job per ticket and batch
//     carries the latest message's time (older ones would be skipped anyway).
//   - request_welcome and group messages carry nothing to show and are
//     counted, not stored.
//
// # Media
//
// MediaWorker works helpdesk.MediaDownloadJob on River's bulk queue: media
// info, download with the channel's token under a per-type size cap,
// sha256 checked against the webhook's and the media info's, stored in the
// blob store. Transient failures are retried with backoff (MediaBackoff, at
// most MediaMaxAttempts); permanent ones and the last attempt mark the
// attachment failed, and POST /api/v1/attachments/{id}/retry starts over.
package inbound
