package jobs

// SetQueueWorkers sets how many jobs of a queue this process works at once;
// call it before Init. River fetches at most the free worker count every
// FetchCooldown (20 ms), so a queue's throughput is bounded by about
// workers × 50 jobs/s: the outbound capability raises its queue so sends
// keep up with a number allowed 1,000 messages per second.
func (r *Runner) SetQueueWorkers(queue string, workers int) {
	if r.opts.Queues == nil {
		r.opts.Queues = defaultQueues()
	}
	r.opts.Queues[queue] = workers
}
