package run

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// forEach runs fn for every item, at most limit at a time, and waits for all of them: one host's failure
// never stops the others (fn records its own result). Items not started when ctx ends are skipped.
func forEach[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T)) {
	if limit < 1 {
		limit = 1
	}
	var g errgroup.Group
	g.SetLimit(limit)
	for _, item := range items {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			fn(ctx, item)
			return nil
		})
	}
	_ = g.Wait()
}
