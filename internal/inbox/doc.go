// Package inbox is the durable front door of WhatsApp webhooks: a
// group-commit writer that stores raw deliveries in the webhook_inbox table
// before Meta gets its 200.
//
// # Group commit
//
// Every webhook request hands its row to Append and waits. One goroutine
// (Run) takes whatever is queued — up to MaxBatch rows or MaxBatchBytes of
// bodies, optionally waiting MaxDelay for more — and inserts it with one
// multi-row INSERT in one transaction. Only after COMMIT does each waiting
// request learn the result: nil (answer 200) or the error (answer 503, Meta
// retries). A full queue is ErrFull and a stopped writer ErrClosed, both
// answered 503: nothing is ever acknowledged that is not committed.
//
// While one transaction commits, the next requests queue up, so the batch
// size grows with the load by itself: at a trickle each delivery is its own
// transaction (lowest latency), under a burst hundreds share one.
//
// # Rows
//
// A row is helpdesk.InboxItem: ChannelID is the channel whose callback URL
// received the delivery, Body the exact raw bytes, ReceivedAt the arrival
// time, State InboxPending (InboxIgnored for a disabled channel, InboxFailed
// for malformed JSON: stored for inspection, never processed). The writer
// also moves channels' last_webhook_at forward, at most once per TouchEvery
// per channel, in a transaction beside the acks (channels are in the main
// database, which an ack must not wait for).
//
// # Where the rows live
//
// On PostgreSQL in the webhook_inbox table of the one database. On SQLite in
// a database file of its own, wadesk-inbox.db beside wadesk.db: SQLite has
// one writer per file, and the main file's writer is held by the processor,
// River and the API (a full-text index merge at one commit can take 50–80
// ms); with its own file an ack waits only for other acks. The store marks a
// delivery processed after the transaction that applied it committed; see
// internal/store/inbox_file.go for why nothing is lost or doubled.
//
// # Waking the processor
//
// The inbox processor (internal/inbound) drains pending rows. It learns that
// new rows exist in two ways:
//
//   - in this process: Subscribe returns a channel that receives a value
//     (coalesced, never blocking the writer) after every commit that stored
//     at least one pending row;
//   - on PostgreSQL, from any instance: each such transaction also runs
//     NOTIFY wadesk_inbox (empty payload), delivered at commit, so a
//     processor that LISTENs on "wadesk_inbox" wakes up even when the
//     webhook hit another instance.
//
// The processor should still poll now and then (a notification is a hint,
// not a guarantee: a LISTEN connection may drop).
//
// # Durability
//
// On SQLite the inbox file runs with synchronous=NORMAL in WAL mode: a
// commit survives a crash of the process (the WAL is in the OS page cache)
// but the last commits before a power loss or kernel crash may be lost,
// because the WAL is fsynced only at checkpoints. synchronous=FULL fsyncs
// the WAL at every commit; see bench/README.md (inbound/ack) for what that
// costs with group commit and why NORMAL is kept as the default.
package inbox
