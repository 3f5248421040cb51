// Package channel holds the rules of connecting WhatsApp business numbers:
// creating a channel checks its credentials with the Graph API, seals its
// secrets, gives it an unguessable webhook id and verify token and subscribes
// the app to the WABA with the channel's callback URL; updating keeps
// write-only secrets unless a real new value is given; verifying refreshes
// the number's health. It also serves the webhook endpoint a short-lived
// cache of (webhook id → channel id, active, app secret, verify token), so a
// delivery costs neither a query nor a decryption.
//
// Decisions worth knowing:
//
//   - If subscribing the app fails after the credentials were accepted, the
//     channel is kept (201) with status "error" and last_error saying why;
//     POST /channels/{id}/verify or a PATCH with a new access token retries.
//   - A channel whose status is "error" goes back to "active" when a new
//     access token is accepted by Graph (PATCH) or when Verify succeeds; the
//     functions registered with OnReactivated then run (outbound resumes
//     paused sends there).
//   - Several channels may share a WABA and app. Meta keeps one callback
//     override per (WABA, app), so the last channel subscribed receives the
//     deliveries of every number of the WABA; the processor routes each
//     change by metadata.phone_number_id. Deleting a channel re-points the
//     override to a remaining channel of the same WABA, if any.
package channel
