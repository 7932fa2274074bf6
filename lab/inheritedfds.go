package lab

import (
	"os"
	"strconv"
	"syscall"
)

// closeInheritedOnExec marks every descriptor above stderr close-on-exec. Go opens its own files that way,
// but descriptors this process inherited stay inheritable, and the hosts' supervisors live until `lab down`:
// a lock the caller holds (`flock LOCK lab up ...`) would otherwise stay held by the lab's hosts.
func closeInheritedOnExec() error {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
	return nil
}
