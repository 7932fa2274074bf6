package sshexec

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// appendKnownHost records key for address (host:port) in the known_hosts file at path, creating the
// file (0600) and its directory (0700) when missing.
//
// Many Dials run in parallel, in this process and possibly in another swapboot, so the append holds
// an exclusive lock on the file and re-reads it under the lock: if the host was recorded meanwhile
// with the same key nothing is written, with another key that key is returned in want (the caller
// refuses the connection as changed).
func appendKnownHost(path, address string, remote net.Addr, key ssh.PublicKey) (want []knownhosts.KnownKey, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	unlock, err := lockFile(f)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	defer unlock()

	db, err := knownhosts.New(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if db != nil {
		err := db(address, remote, key)
		var keyErr *knownhosts.KeyError
		switch {
		case err == nil:
			return nil, nil // recorded meanwhile, same key
		case errors.As(err, &keyErr) && len(keyErr.Want) > 0:
			return keyErr.Want, nil
		case !errors.As(err, &keyErr):
			return nil, err // e.g. revoked
		}
	}

	line := knownhosts.Line([]string{knownhosts.Normalize(address)}, key) + "\n"
	if missing, err := missingFinalNewline(f); err != nil {
		return nil, err
	} else if missing {
		line = "\n" + line
	}
	// One write of one line: with O_APPEND and the lock, readers never see half an entry.
	if _, err := f.Write([]byte(line)); err != nil {
		return nil, fmt.Errorf("append to %s: %w", path, err)
	}
	return nil, f.Sync()
}

// missingFinalNewline reports whether a hand-edited file lacks its last newline, which would glue
// our entry onto the previous line.
func missingFinalNewline(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil && err != io.EOF {
		return false, err
	}
	return last[0] != '\n', nil
}
