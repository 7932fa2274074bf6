package exit

import (
	"context"
	"errors"
	"testing"
	"time"
)

type coded struct{}

func (coded) Error() string { return "bad" }
func (coded) ExitCode() int { return BadInput }

func TestCode(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel2()
	<-expired.Done()
	err := errors.New("x")
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"ok", context.Background(), nil, OK},
		{"plain error", context.Background(), err, HostFailed},
		{"coded", context.Background(), coded{}, BadInput},
		{"Ctrl-C", cancelled, err, Interrupted},
		{"--timeout", expired, err, TimedOut},
	} {
		if got := Code(tc.ctx, tc.err); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
	if TimedOut == Interrupted || TimedOut == HostFailed || TimedOut == BadInput {
		t.Error("TimedOut must be a code of its own")
	}
}
