package sshexec

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
)

// The sudo prompt and the "root shell started" marker that frame the password exchange on stderr.
// Before the marker only sudo writes to stderr, so the markers cannot be confused with script output.
const (
	sudoPromptMarker = "swapboot-sudo-password:"
	sudoReadyMarker  = "swapboot-sudo-ready"
)

// remoteCommand is the exec request for a script sent on stdin.
//
//   - root: `sh -s`.
//   - other users: `sudo -n sh -s`; -n makes a password-requiring sudo fail at once instead of
//     waiting for a password that never comes.
//   - other users with a sudo password: sudo prompts with a marker, and the root shell announces
//     itself before reading the script. swapboot sends the password only when the prompt appears
//     and the script only after the announcement. Simply sending "password\nscript" would make
//     sh execute the password as a command (echoing it into the output) whenever sudo does not
//     ask: NOPASSWD rules, cached credentials.
func remoteCommand(user string, sudoPassword bool) string {
	switch {
	case user == "root":
		return "sh -s"
	case !sudoPassword:
		return "sudo -n sh -s"
	}
	return "sudo -S -p '" + sudoPromptMarker + "' sh -c 'echo " + sudoReadyMarker + " >&2; exec sh -s'"
}

var errSudoRejected = errors.New("sudo rejected the password")

// sudoPassword asks the caller for the sudo password at most once per Client, and only when sudo
// actually prompts.
type sudoPassword struct {
	host string
	ask  func(host string) ([]byte, error)

	mu     sync.Mutex
	cached []byte
}

func (s *sudoPassword) get() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached == nil {
		pw, err := s.ask(s.host)
		if err != nil {
			return nil, err
		}
		s.cached = bytes.Clone(pw)
	}
	return bytes.Clone(s.cached), nil
}

// forget drops a rejected (or no longer needed) password so the next Run asks again.
func (s *sudoPassword) forget() {
	s.mu.Lock()
	clear(s.cached)
	s.cached = nil
	s.mu.Unlock()
}

type sudoEvent int

const (
	sudoPrompted sudoEvent = iota
	sudoReady
)

// sudoFeed stands between the session and its stdin and stderr when a sudo password is set: it
// watches stderr for the markers (removing them from the output) and feeds stdin accordingly.
type sudoFeed struct {
	script   string
	password *sudoPassword
	stderr   io.Writer // the output the markers are removed from
	stdin    io.WriteCloser
	events   chan sudoEvent
	finished chan struct{} // the session ended
	fed      chan struct{} // feed returned

	mu          sync.Mutex // guards the stderr side
	pending     []byte     // stderr not yet passed on: may hold the start of a marker
	ready       bool
	dropNewline bool // the ready marker's newline is still to come

	problem error // set by feed before fed closes
}

func newSudoFeed(script string, password *sudoPassword, stderr io.Writer) *sudoFeed {
	return &sudoFeed{
		script:   script,
		password: password,
		stderr:   stderr,
		events:   make(chan sudoEvent, 8),
		finished: make(chan struct{}),
		fed:      make(chan struct{}),
	}
}

// Write is the session's stderr.
func (f *sudoFeed) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ready {
		out := p
		if f.dropNewline && len(out) > 0 {
			f.dropNewline = false
			out = bytes.TrimPrefix(out, []byte("\n"))
		}
		f.stderr.Write(out)
		return len(p), nil
	}
	f.pending = append(f.pending, p...)
	for {
		i, marker := firstMarker(f.pending)
		if i < 0 {
			break
		}
		f.stderr.Write(f.pending[:i])
		rest := f.pending[i+len(marker):]
		if marker == sudoPromptMarker {
			f.pending = rest
			f.notify(sudoPrompted)
			continue
		}
		f.ready, f.pending = true, nil
		if len(rest) == 0 {
			f.dropNewline = true
		}
		if rest = bytes.TrimPrefix(rest, []byte("\n")); len(rest) > 0 {
			f.stderr.Write(rest)
		}
		f.notify(sudoReady)
		return len(p), nil
	}
	// Pass on all but what could be the beginning of a marker.
	if keep := max(len(sudoPromptMarker), len(sudoReadyMarker)) - 1; len(f.pending) > keep {
		cut := len(f.pending) - keep
		f.stderr.Write(f.pending[:cut])
		f.pending = bytes.Clone(f.pending[cut:])
	}
	return len(p), nil
}

func firstMarker(b []byte) (int, string) {
	p := bytes.Index(b, []byte(sudoPromptMarker))
	r := bytes.Index(b, []byte(sudoReadyMarker))
	switch {
	case p >= 0 && (r < 0 || p < r):
		return p, sudoPromptMarker
	case r >= 0:
		return r, sudoReadyMarker
	}
	return -1, ""
}

func (f *sudoFeed) notify(ev sudoEvent) {
	select {
	case f.events <- ev:
	default: // sudo gives up after a few prompts; more events than buffer cannot happen
	}
}

// feed runs for the session's life: it answers the first prompt with the password, gives up on a
// second (wrong password: closing stdin makes sudo fail instead of reading the script as
// passwords), and sends the script once the root shell is ready.
func (f *sudoFeed) feed() {
	defer close(f.fed)
	defer f.stdin.Close()
	prompts := 0
	for {
		var ev sudoEvent
		select {
		case <-f.finished:
			return
		case ev = <-f.events:
		}
		if ev == sudoReady {
			io.Copy(f.stdin, strings.NewReader(f.script)) // an error means the session ended
			return
		}
		if prompts++; prompts > 1 {
			f.problem = errSudoRejected
			f.password.forget()
			return
		}
		pw, err := f.password.get()
		if err != nil {
			f.problem = err
			return
		}
		line := append(pw, '\n')
		_, err = f.stdin.Write(line)
		clear(line)
		if err != nil {
			return
		}
	}
}

// finish is called when the session ended: it stops feed, flushes held-back stderr, and returns
// what went wrong with sudo, if anything.
func (f *sudoFeed) finish() error {
	close(f.finished)
	<-f.fed
	f.mu.Lock()
	if len(f.pending) > 0 {
		f.stderr.Write(f.pending)
		f.pending = nil
	}
	f.mu.Unlock()
	return f.problem
}
