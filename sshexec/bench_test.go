package sshexec

import (
	"context"
	"testing"
)

// BenchmarkRunOverOneConnection measures the latency of one Run (session open, exec, exit status)
// on an established connection to the in-process server, which includes forking /bin/sh.
func BenchmarkRunOverOneConnection(b *testing.B) {
	f := newFixture(b)
	c := f.dial(b, "root")
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.Run(ctx, Cmd{Script: "true"}); err != nil {
			b.Fatal(err)
		}
	}
}
