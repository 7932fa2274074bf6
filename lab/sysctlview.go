package lab

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// kubeletTunables are the kernel settings the kubelet writes at start (setupKernelTunables) unless
// protectKernelDefaults is set. They are global to the machine and /proc/sys is read-only in a host, so
// each host gets private, writable copies holding the machine's values: the kubelet reads and writes them as
// on a real node, and the machine's own settings (kernel.panic_on_oops among them) stay untouched.
var kubeletTunables = []string{
	"vm/overcommit_memory",
	"vm/panic_on_oom",
	"kernel/panic",
	"kernel/panic_on_oops",
	"kernel/keys/root_maxkeys",
	"kernel/keys/root_maxbytes",
}

// mountPrivateTunables binds a writable file over each tunable under proc/sys. scratch must be a directory
// on a file system of the host (the files live on a tmpfs that stays alive through the binds).
func mountPrivateTunables(proc, scratch string) error {
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return err
	}
	if err := doMount(mountStep{"tmpfs", scratch, "tmpfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "mode=755,size=64k"}); err != nil {
		return err
	}
	for i, name := range kubeletTunables {
		target := filepath.Join(proc, "sys", name)
		value, err := os.ReadFile(target)
		if err != nil {
			continue // not in this kernel
		}
		file := filepath.Join(scratch, fmt.Sprint(i))
		if err := os.WriteFile(file, value, 0o644); err != nil {
			return err
		}
		if err := doMount(mountStep{file, target, "", unix.MS_BIND, ""}); err != nil {
			return err
		}
	}
	if err := unix.Unmount(scratch, unix.MNT_DETACH); err != nil {
		return err
	}
	return os.Remove(scratch)
}
