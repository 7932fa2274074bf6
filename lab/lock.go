package lab

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lockLab takes an exclusive lock for up/down/network of one lab. The lock
// file lives beside the lab directory so removing the lab keeps it valid.
func lockLab(stateRoot, name string) (func(), error) {
	if err := os.MkdirAll(stateRoot, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(stateRoot, "."+name+".lock"), os.O_CREATE|os.O_RDWR|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lab %s is busy (another lab command holds %s)", name, f.Name())
	}
	return func() { f.Close() }, nil
}
