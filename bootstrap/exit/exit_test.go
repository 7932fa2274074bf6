package exit

import (
	"context"
	"errors"
	"fmt"
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
	bad := WithCode(BadInput, errors.New("--cgroup"))
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"nil", nil, nil, OK},
		{"ok", context.Background(), nil, OK},
		{"plain error", nil, errors.New("x"), HostFailed},
		{"plain error, live context", context.Background(), err, HostFailed},
		{"coded type", context.Background(), coded{}, BadInput},
		{"coded", nil, bad, BadInput},
		{"wrapped", nil, fmt.Errorf("host: join: %w", bad), BadInput},
		{"outer code wins", nil, WithCode(HostFailed, bad), HostFailed},
		{"Ctrl-C", cancelled, err, Interrupted},
		{"interrupted", cancelled, bad, Interrupted},
		{"--timeout", expired, err, TimedOut},
		{"--timeout over a coded error", expired, bad, TimedOut},
	} {
		if got := Code(tc.ctx, tc.err); got != tc.want {
			t.Errorf("%s: Code = %d, want %d", tc.name, got, tc.want)
		}
	}
	if TimedOut == Interrupted || TimedOut == HostFailed || TimedOut == BadInput {
		t.Error("TimedOut must be a code of its own")
	}
}

func TestSilent(t *testing.T) {
	if !Silent(WithCode(HostFailed, nil)) || !Silent(WithCode(OK, errors.New("nothing done"))) {
		t.Error("a bare code or an OK code must print nothing")
	}
	if Silent(WithCode(HostFailed, errors.New("some hosts failed"))) || Silent(errors.New("x")) {
		t.Error("an error with something to say is not silent")
	}
	if !HasCode(fmt.Errorf("x: %w", WithCode(BadInput, nil))) || HasCode(errors.New("x")) {
		t.Error("HasCode")
	}
}
