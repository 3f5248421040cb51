// Package cluster holds what several wadesk instances on one PostgreSQL
// share besides the data itself. Today that is each business number's send
// budget (Budget): the Cloud API caps a number's throughput, not a
// process's, so the instances draw their sends from one token bucket per
// number kept in the database.
//
// Why a bucket in the database rather than a share of the cap per live
// instance (heartbeats, cap/N each): a share is wrong for a few seconds
// whenever an instance joins (the others still take the old, larger share)
// and wastes the budget of an instance that has nothing to send while
// another has a queue. A shared bucket is exact whatever the number of
// instances and wherever the queue is, at the price of one small UPDATE per
// lease — a lease holds up to a tenth of a second of throughput, so at most
// ~100 statements per second per number and instance, whatever the cap.
package cluster
