// Package outbound sends wadesk's messages to WhatsApp through the Cloud
// API: agents' replies (text, one file, templates), business-initiated
// conversations, and the automatic welcome, reminder and apology messages.
// The rules of what may be sent live in helpdesk.Outbox; this package is
// the River workers that do the sending, the translation into Cloud API
// bodies, the rate limits, retries and the channel pause.
//
// # Sending one message
//
// A message is queued (status "queued") together with its SendMessageJob
// in one transaction. The send worker then, for each job:
//
//  1. reads the message; if it is no longer queued, it is done;
//  2. waits if an older message of the same ticket is still queued (FIFO
//     per ticket: the job snoozes and looks again), or if the channel is
//     in status "error" or disabled (the job snoozes PauseCheck and looks
//     again, so sends resume by themselves once an admin fixes the token);
//  3. takes a token from the pair limiter (customer) and the per-number
//     limiter shared by every worker of the process;
//  4. uploads media (POST /{phone_number_id}/media) unless already uploaded;
//  5. records and COMMITS a send attempt (send_attempts, finished_at NULL);
//  6. calls POST /{phone_number_id}/messages;
//  7. records the outcome in one transaction: the wamid and status
//     "accepted" (plus statuses that arrived before the wamid), or the
//     error.
//
// # Crash safety: never silently send twice
//
// The Cloud API has no idempotency key. If wadesk dies between step 6
// (Meta accepted the message) and step 7 (the wamid is committed), River
// runs the job again. Resending would deliver the message twice, so the
// worker does not: a job that finds an attempt begun and never finished
// marks the message "unknown" ("delivery unknown", with an explanation in
// its error) and stops. An agent checks with the customer and, if it did
// not arrive, retries by hand (POST /api/v1/messages/{id}/retry), which is
// recorded as an attempt of its own. The same policy applies when the
// connection breaks after the request may have reached Meta (timeouts,
// resets, an unreadable 2xx): the outcome cannot be known, so the message
// becomes unknown instead of being retried. Only failures that prove Meta
// did not take the message are retried automatically: an error answer
// (5xx, 130429, the codes the reference marks transient) or a connection
// that could not be opened. The status webhooks reconcile "unknown" too:
// biz_opaque_callback_data carries the message id.
//
// # Errors
//
//   - transient (network before sending, 5xx, 130429, reference-transient
//     codes): retried with exponential backoff and jitter (RetryBase
//     doubling up to RetryMax), at most MaxAttempts attempts, then failed;
//     131056 (pair rate limit) waits 4^n seconds instead;
//   - 131047 (window closed between queuing and sending): failed, not retried;
//   - 190, 131031 and other credential errors: the channel goes to status
//     "error" with last_error, the message stays queued and its job (and
//     every other job of the channel) pauses until the channel is active;
//   - anything else: failed with Meta's code, title and details, which the
//     API shows in the message's "error".
package outbound
