// Package jobs runs wadesk's background work on River: on SQLite through the
// riversqlite driver (one connection: the store's writer), on PostgreSQL
// through riverpgxv5, which spreads jobs over every instance and uses
// LISTEN/NOTIFY to pick them up at once.
//
// Jobs are inserted in the same transaction as the change that needs them
// (InsertTx with the store's *sql.Tx), so a committed change never lacks its
// job and a rolled-back one never runs it. On PostgreSQL that insert goes
// through an insert-only client on database/sql (riverdatabasesql), because
// the store speaks database/sql while riverpgxv5 wants a pgx.Tx.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"wadesk/internal/helpdesk"
	"wadesk/internal/store"
)

// Queues. Live inbound work has its own queue so bulk jobs never starve it.
const (
	QueueInbound  = helpdesk.QueueInbound
	QueueOutbound = helpdesk.QueueOutbound // River's default queue
	QueueBulk     = helpdesk.QueueBulk
)

// Options configures a Runner.
type Options struct {
	Logger   *slog.Logger
	Registry prometheus.Registerer // may be nil
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	// Queues maps queue name to its worker count; nil means the defaults.
	Queues map[string]int
	// PollInterval bounds how long a job waits to be noticed when no
	// notification arrives (always the case on SQLite). Default 200 ms.
	PollInterval time.Duration
}

// Runner inserts and works jobs. It is built in two steps so that every
// capability can register its workers first: New, then Workers/AddPeriodic,
// then Init (which creates the River clients), then Start.
type Runner struct {
	db       *store.DB
	opts     Options
	inserter *river.Client[*sql.Tx] // works too, on SQLite
	worker   *river.Client[pgx.Tx]  // PostgreSQL only
	logger   *slog.Logger
	metrics  *metrics
	stopSubs func()
	done     chan struct{}
}

func defaultQueues() map[string]int {
	return map[string]int{QueueInbound: 4, QueueOutbound: 8, QueueBulk: 2}
}

// New prepares a Runner on db; call Init before inserting or starting.
func New(db *store.DB, opts Options) (*Runner, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Workers == nil {
		opts.Workers = river.NewWorkers()
	}
	if opts.Queues == nil {
		opts.Queues = defaultQueues()
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 200 * time.Millisecond
	}
	r := &Runner{db: db, opts: opts, logger: opts.Logger, done: make(chan struct{})}
	if opts.Registry != nil {
		var err error
		if r.metrics, err = newMetrics(opts.Registry); err != nil {
			return nil, fmt.Errorf("jobs: metrics: %w", err)
		}
	}
	return r, nil
}

// Workers is the bundle to register workers in (river.AddWorker) before Init.
func (r *Runner) Workers() *river.Workers { return r.opts.Workers }

// AddPeriodic schedules a periodic job; call before Init. On PostgreSQL
// only the elected leader enqueues it, so it runs once per period however
// many instances there are.
func (r *Runner) AddPeriodic(j *river.PeriodicJob) { r.opts.Periodic = append(r.opts.Periodic, j) }

// Init creates the River clients from what was registered.
func (r *Runner) Init() error {
	if r.inserter != nil {
		return errors.New("jobs: Init called twice")
	}
	queues := make(map[string]river.QueueConfig, len(r.opts.Queues))
	for name, n := range r.opts.Queues {
		queues[name] = river.QueueConfig{MaxWorkers: n}
	}
	cfg := &river.Config{
		Queues:            queues,
		Workers:           r.opts.Workers,
		PeriodicJobs:      r.opts.Periodic,
		FetchPollInterval: r.opts.PollInterval,
		FetchCooldown:     20 * time.Millisecond,
		// A job that outlives JobTimeout is cancelled; one whose process
		// died (SIGKILL, power loss) is still "running" in the database
		// and River's rescuer makes it retryable RescueStuckJobsAfter
		// later. Every job here is short (a send, a media download of at
		// most 100 MB), so a minute is plenty and recovery stays quick.
		JobTimeout:           time.Minute,
		RescueStuckJobsAfter: 90 * time.Second,
		Logger:               r.logger.With("component", "river"),
	}
	var err error
	switch r.db.Dialect() {
	case store.SQLite:
		r.inserter, err = river.NewClient(riversqlite.New(r.db.Writer()), cfg)
	case store.Postgres:
		r.worker, err = river.NewClient(riverpgxv5.New(r.db.PgxPool()), cfg)
		if err == nil {
			r.inserter, err = river.NewClient(riverdatabasesql.New(r.db.Writer()), &river.Config{Workers: r.opts.Workers})
		}
	default:
		err = fmt.Errorf("unknown dialect %q", r.db.Dialect())
	}
	if err != nil {
		return fmt.Errorf("jobs: new client: %w", err)
	}
	return nil
}

// Insert enqueues a job outside any transaction.
func (r *Runner) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := r.inserter.Insert(ctx, args, opts)
	if err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// InsertTx enqueues a job as part of tx: it exists if and only if tx commits.
func (r *Runner) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := r.inserter.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

func (r *Runner) working() interface {
	Start(context.Context) error
	Stop(context.Context) error
	Subscribe(...river.EventKind) (<-chan *river.Event, func())
} {
	if r.worker != nil {
		return r.worker
	}
	return r.inserter
}

// Start begins working jobs in the background.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.releaseOrphans(ctx); err != nil {
		return err
	}
	c := r.working()
	events, cancel := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	r.stopSubs = cancel
	go r.observe(events)
	if err := c.Start(ctx); err != nil {
		cancel()
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching new jobs and waits for running ones to finish, until
// ctx ends (then they are cancelled and River retries them later).
func (r *Runner) Stop(ctx context.Context) error {
	err := r.working().Stop(ctx)
	if r.stopSubs != nil {
		r.stopSubs()
		<-r.done
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

func (r *Runner) observe(events <-chan *river.Event) {
	defer close(r.done)
	for ev := range events {
		if ev == nil || ev.Job == nil {
			continue
		}
		if r.metrics != nil {
			r.metrics.observe(ev)
		}
		if ev.Kind == river.EventKindJobFailed {
			r.logger.Warn("job failed", "kind", ev.Job.Kind, "job_id", ev.Job.ID, "attempt", ev.Job.Attempt,
				"error", lastError(ev))
		}
	}
}

func lastError(ev *river.Event) string {
	if n := len(ev.Job.Errors); n > 0 {
		return ev.Job.Errors[n-1].Error
	}
	return ""
}

// sqlTxer is the store's transaction type seen from here: River needs the
// *sql.Tx underneath to insert a job in the same transaction.
type sqlTxer interface{ SQLTx() *sql.Tx }

// EnqueueTx implements helpdesk.Enqueuer: the job is inserted in tx, so it
// exists exactly when tx commits.
func (r *Runner) EnqueueTx(ctx context.Context, tx helpdesk.Tx, job helpdesk.Job) error {
	st, ok := tx.(sqlTxer)
	if !ok {
		return fmt.Errorf("jobs: enqueue %s: transaction %T has no *sql.Tx", job.Kind(), tx)
	}
	p, err := insertParams(job)
	if err != nil {
		return err
	}
	return r.InsertTx(ctx, st.SQLTx(), p.Args, p.InsertOpts)
}

// EnqueueManyTx enqueues several jobs in tx with one insert: River's
// SQLite driver inserts row by row otherwise, which dominates the cost of
// processing a batch of webhook deliveries.
func (r *Runner) EnqueueManyTx(ctx context.Context, tx helpdesk.Tx, list []helpdesk.Job) error {
	if len(list) == 0 {
		return nil
	}
	st, ok := tx.(sqlTxer)
	if !ok {
		return fmt.Errorf("jobs: enqueue %d jobs: transaction %T has no *sql.Tx", len(list), tx)
	}
	params := make([]river.InsertManyParams, len(list))
	for i, job := range list {
		p, err := insertParams(job)
		if err != nil {
			return err
		}
		params[i] = p
	}
	if _, err := r.inserter.InsertManyTx(ctx, st.SQLTx(), params); err != nil {
		return fmt.Errorf("jobs: insert %d jobs: %w", len(list), err)
	}
	return nil
}

// insertParams turns a domain job into River's arguments and options (its
// queue and run time, when it names them).
func insertParams(job helpdesk.Job) (river.InsertManyParams, error) {
	args, ok := job.(river.JobArgs)
	if !ok {
		return river.InsertManyParams{}, fmt.Errorf("jobs: enqueue %s: not a river.JobArgs", job.Kind())
	}
	opts := &river.InsertOpts{}
	if q, ok := job.(interface{ Queue() string }); ok {
		opts.Queue = q.Queue()
	}
	if at, ok := job.(interface{ RunAt() time.Time }); ok {
		opts.ScheduledAt = at.RunAt()
	}
	return river.InsertManyParams{Args: args, InsertOpts: opts}, nil
}

// releaseOrphans makes the jobs a killed process left "running" available
// again, at once. Only on SQLite, where this process is the only one using
// the database: every running job there is an orphan. On PostgreSQL other
// instances may be running theirs; River's rescuer handles orphans there.
func (r *Runner) releaseOrphans(ctx context.Context) error {
	if r.db.Dialect() != store.SQLite {
		return nil
	}
	res, err := r.db.Writer().ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`)
	if err != nil {
		return fmt.Errorf("jobs: release orphaned jobs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		r.logger.Warn("released jobs left running by a previous process", "jobs", n)
	}
	return nil
}
