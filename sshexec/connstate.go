package sshexec

import "sync"

// connState records the one reason a Client's connection ended (lost or closed). Run selects on
// done so that it fails fast instead of waiting on a session of a dead connection.
type connState struct {
	done chan struct{}
	once sync.Once
	err  error
}

func newConnState() *connState { return &connState{done: make(chan struct{})} }

// end records err if the connection has not ended yet, and reports whether it did.
func (s *connState) end(err error) bool {
	ended := false
	s.once.Do(func() {
		s.err = err
		close(s.done)
		ended = true
	})
	return ended
}

// Err is nil while the connection is usable.
func (s *connState) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}
