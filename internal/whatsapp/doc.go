// Package whatsapp is wadesk's adapter for Meta's WhatsApp Business Cloud API.
//
// It has three independent parts:
//
//   - a Client for the Graph API calls a helpdesk needs (send messages, media,
//     phone numbers, templates, app subscription), whose failures are reported as
//     one error type, *Error, with retry classification (IsRetryable);
//   - webhook types and ParseNotification, which decode every payload the Cloud API
//     posts and keep anything unknown as raw JSON rather than dropping it;
//   - Sign / VerifySignature for the X-Hub-Signature-256 header, and
//     MarshalLikeMeta to produce bodies escaped the way Meta escapes them.
//
// The package holds no global state: build a Client per channel with NewClient
// and share one *http.Client between them.
package whatsapp
