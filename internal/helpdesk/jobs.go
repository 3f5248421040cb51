package helpdesk

import "context"

// Job is background work the domain asks for: a value whose Kind names its
// worker (River's JobArgs has the same shape, so these types are inserted
// as they are). The job types live next to the rules that create them.
type Job interface {
	Kind() string
}

// Enqueuer schedules jobs inside the caller's write transaction, so a job
// exists if and only if the change that needs it commits. internal/jobs
// implements it on River.
type Enqueuer interface {
	EnqueueTx(ctx context.Context, tx Tx, job Job) error
}
