package sshexec

import (
	"bytes"
	"io"
	"strconv"
	"sync"
)

type preambleEvent int

const (
	promptSeen  preambleEvent = iota // sudo asks for the password
	scriptReady                      // the root shell runs and reads stdin
)

// preamble is a session's stderr while the wrapper speaks: it removes the markers, reports them
// as events, and then passes the script's stderr through untouched.
type preamble struct {
	out    io.Writer
	events chan preambleEvent

	mu      sync.Mutex
	pending []byte // not yet passed on: may hold the start of a marker
	started bool
	pid     int // of the root shell, from readyMarker
}

func newPreamble(out io.Writer) *preamble {
	// Buffered: Write must never block on the reader, and sudo prompts at most a few times.
	return &preamble{out: out, events: make(chan preambleEvent, 8)}
}

func (p *preamble) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		p.out.Write(b)
		return len(b), nil
	}
	p.pending = append(p.pending, b...)
	for !p.started {
		i := bytes.Index(p.pending, []byte(sudoPromptMarker))
		r := bytes.Index(p.pending, []byte(readyMarker))
		switch {
		case i >= 0 && (r < 0 || i < r):
			p.out.Write(p.pending[:i])
			p.pending = p.pending[i+len(sudoPromptMarker):]
			p.notify(promptSeen)
		case r >= 0:
			end := bytes.IndexByte(p.pending[r:], '\n')
			if end < 0 {
				p.out.Write(p.pending[:r])
				p.pending = bytes.Clone(p.pending[r:])
				return len(b), nil // the pid is still to come
			}
			p.out.Write(p.pending[:r])
			p.pid, _ = strconv.Atoi(string(p.pending[r+len(readyMarker) : r+end]))
			if rest := p.pending[r+end+1:]; len(rest) > 0 {
				p.out.Write(rest)
			}
			p.started, p.pending = true, nil
			p.notify(scriptReady)
		default:
			// Pass on all but what could be the beginning of a marker.
			if keep := max(len(sudoPromptMarker), len(readyMarker)) - 1; len(p.pending) > keep {
				cut := len(p.pending) - keep
				p.out.Write(p.pending[:cut])
				p.pending = bytes.Clone(p.pending[cut:])
			}
			return len(b), nil
		}
	}
	return len(b), nil
}

func (p *preamble) notify(ev preambleEvent) {
	select {
	case p.events <- ev:
	default:
	}
}

// shellPID is the announced pid of the root shell, 0 until it is known.
func (p *preamble) shellPID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pid
}

// flush passes on what was held back, once the session has ended.
func (p *preamble) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) > 0 {
		p.out.Write(p.pending)
		p.pending = nil
	}
}
