package outbound

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"wadesk/internal/helpdesk"
)

// fakeTxs stands for Service.Update: it records which requests each
// transaction held, and rolls a transaction back when any fn fails.
type fakeTxs struct {
	mu        sync.Mutex
	committed [][]int // per committed transaction, the ids written
	hold      time.Duration
	open      int // transactions running now
	maxOpen   int
}

func (f *fakeTxs) update(ctx context.Context, fn func(tx helpdesk.Tx, ev *helpdesk.Events) error) error {
	f.mu.Lock()
	f.open++
	f.maxOpen = max(f.maxOpen, f.open)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.open--; f.mu.Unlock() }()
	var tx fakeTx
	if err := fn(&tx, &helpdesk.Events{}); err != nil {
		return err
	}
	time.Sleep(f.hold) // the commit: others queue meanwhile
	f.mu.Lock()
	f.committed = append(f.committed, tx.ids)
	f.mu.Unlock()
	return nil
}

type fakeTx struct {
	helpdesk.Tx
	ids []int
}

func write(id int, err error) func(tx helpdesk.Tx, ev *helpdesk.Events) error {
	return func(tx helpdesk.Tx, ev *helpdesk.Events) error {
		tx.(*fakeTx).ids = append(tx.(*fakeTx).ids, id)
		return err
	}
}

// Concurrent requests share transactions (at most one per lane at a
// time), each returns only once its writes committed, and every write is
// committed exactly once.
func TestGroupCommitSharesTransactions(t *testing.T) {
	for _, lanes := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d lanes", lanes), func(t *testing.T) { testGroupCommit(t, lanes) })
	}
}

func testGroupCommit(t *testing.T, lanes int) {
	f := &fakeTxs{hold: 2 * time.Millisecond}
	g := newGroupCommit(f.update, lanes, nil)
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := g.do(t.Context(), write(i, nil)); err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, tx := range f.committed {
				for _, id := range tx {
					if id == i {
						return
					}
				}
			}
			t.Errorf("request %d returned before its transaction committed", i)
		})
	}
	wg.Wait()
	seen := map[int]int{}
	for _, tx := range f.committed {
		if len(tx) > maxGroup {
			t.Errorf("a transaction held %d requests, more than %d", len(tx), maxGroup)
		}
		for _, id := range tx {
			seen[id]++
		}
	}
	for i := range n {
		if seen[i] != 1 {
			t.Errorf("request %d committed %d times", i, seen[i])
		}
	}
	if len(f.committed) >= n {
		t.Errorf("%d transactions for %d concurrent requests: nothing was grouped", len(f.committed), n)
	}
	if f.maxOpen > lanes {
		t.Errorf("%d transactions at once, want at most %d", f.maxOpen, lanes)
	}
	t.Logf("%d requests in %d transactions, at most %d at once", n, len(f.committed), f.maxOpen)
}

// A request whose writes fail fails alone: the others of its batch are
// committed in transactions of their own.
func TestGroupCommitIsolatesAFailure(t *testing.T) {
	f := &fakeTxs{hold: 5 * time.Millisecond}
	g := newGroupCommit(f.update, 1, nil)
	bad := errors.New("not queued any more")
	// The first request holds the lead while the others queue behind it
	// and are committed as one batch, bad one included.
	first := make(chan error)
	go func() { first <- g.do(t.Context(), write(0, nil)) }()
	time.Sleep(time.Millisecond)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := 1; i < len(errs); i++ {
		wg.Go(func() {
			var err error
			if i == 3 {
				err = bad
			}
			errs[i] = g.do(t.Context(), write(i, err))
		})
	}
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatalf("first: %v", err)
	}
	for i, err := range errs[1:] {
		id := i + 1
		switch {
		case id == 3 && !errors.Is(err, bad):
			t.Errorf("request 3: %v, want its own error", err)
		case id != 3 && err != nil:
			t.Errorf("request %d: %v, want committed", id, err)
		}
	}
	for _, tx := range f.committed {
		for _, id := range tx {
			if id == 3 {
				t.Errorf("the failed request's writes were committed: %v", f.committed)
			}
		}
	}
}
