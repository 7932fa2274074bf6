package sshexec

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
)

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

// feedSudo writes a session's stdin when a sudo password is set, driven by the preamble: the
// password on the first prompt, nothing more on a second one (a wrong password: closing stdin
// makes sudo fail instead of reading script lines as password attempts), and the script once the
// root shell is ready. It returns when it is done or when finished closes (the session ended).
func feedSudo(stdin io.WriteCloser, events <-chan preambleEvent, finished <-chan struct{}, password *sudoPassword, script string) error {
	defer stdin.Close()
	prompts := 0
	for {
		var ev preambleEvent
		select {
		case <-finished:
			return nil
		case ev = <-events:
		}
		if ev == scriptReady {
			io.Copy(stdin, strings.NewReader(script)) // an error means the session ended
			return nil
		}
		if prompts++; prompts > 1 {
			password.forget()
			return errSudoRejected
		}
		pw, err := password.get()
		if err != nil {
			return err
		}
		line := append(pw, '\n')
		_, err = stdin.Write(line)
		clear(line)
		if err != nil {
			return nil
		}
	}
}
