//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sshexec

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive flock on f. flock locks belong to the open file description, so two
// Dials in one process exclude each other as well as two processes do.
func lockFile(f *os.File) (unlock func(), err error) {
	fd := int(f.Fd())
	for {
		err = syscall.Flock(fd, syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(fd, syscall.LOCK_UN) }, nil
}
