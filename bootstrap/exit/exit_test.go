package exit

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestCode(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bad := WithCode(BadInput, errors.New("--cgroup"))
	cases := []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"nil", nil, nil, OK},
		{"plain error", nil, errors.New("x"), HostFailed},
		{"coded", nil, bad, BadInput},
		{"wrapped", nil, fmt.Errorf("host: join: %w", bad), BadInput},
		{"outer code wins", nil, WithCode(HostFailed, bad), HostFailed},
		{"interrupted", cancelled, bad, Interrupted},
	}
	for _, c := range cases {
		if got := Code(c.ctx, c.err); got != c.want {
			t.Errorf("%s: Code = %d, want %d", c.name, got, c.want)
		}
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
