package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// probeSwapFile resolves path inside the root open at rootFD (never leaving
// it, never crossing a mount) and reports whether it is an active swap file:
// a regular file that fallocate(KEEP_SIZE, 0, 1) refuses with ETXTBSY.
func probeSwapFile(rootFD int, path string) (bool, int64) {
	fd, err := unix.Openat2(rootFD, path, &unix.OpenHow{
		Flags:   unix.O_WRONLY | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NONBLOCK,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_XDEV | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return false, 0
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return false, 0
	}
	// swapon refuses files with holes and files below 10 pages; skipping them
	// also keeps the probe free of side effects (fallocate on an allocated
	// range changes nothing).
	if st.Size < 40960 || st.Blocks*512 < st.Size {
		return false, 0
	}
	err = unix.Fallocate(fd, unix.FALLOC_FL_KEEP_SIZE, 0, 1)
	return errors.Is(err, unix.ETXTBSY), st.Size
}

// swapoff is swapoff(2): the kernel matches the area by the file's inode, so
// the result does not depend on how /proc/swaps prints names.
func swapoff(path string) error {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return err
	}
	if _, _, e := unix.Syscall(unix.SYS_SWAPOFF, uintptr(unsafe.Pointer(p)), 0, 0); e != 0 {
		return e
	}
	return nil
}

// RunSwapoffHelper is the hidden helper `_swapoff ROOT`: it chroots into a
// host's root (/proc/<host PID 1>/root while the host runs, the host's root
// directory otherwise), finds the active swap files on that root file system
// only (no mount is crossed), and swaps them off from inside. It never reads
// paths from the machine's /proc/swaps. It prints one line per file.
func RunSwapoffHelper(root string) error {
	if err := unix.Chroot(root); err != nil {
		return fmt.Errorf("chroot %s: %w", root, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	rootMnt, err := mountID("/")
	if err != nil {
		return err
	}
	rootFD, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(rootFD)
	var errs []error
	_ = filepath.WalkDir("/", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if id, err := mountID(p); err != nil || id != rootMnt {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if active, _ := probeSwapFile(rootFD, p); !active {
			return nil
		}
		if err := swapoff(p); err != nil {
			errs = append(errs, fmt.Errorf("swapoff %s: %w", p, err))
			return nil
		}
		if still, _ := probeSwapFile(rootFD, p); still {
			errs = append(errs, fmt.Errorf("swapoff %s: still active", p))
			return nil
		}
		fmt.Printf("swapoff %s\n", p)
		return nil
	})
	return errors.Join(errs...)
}

func mountID(path string) (uint64, error) {
	var stx unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, path, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_MNT_ID, &stx); err != nil {
		return 0, err
	}
	return stx.Mnt_id, nil
}

// activeSwapFilesUnder lists active swap files in a directory tree of the
// machine without crossing mounts (used by status on a host's root dir).
func activeSwapFilesUnder(dir string) []string {
	rootFD, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(rootFD)
	rootMnt, err := mountID(dir)
	if err != nil {
		return nil
	}
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if id, err := mountID(p); err != nil || id != rootMnt {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if active, _ := probeSwapFile(rootFD, rel); active {
			out = append(out, p)
		}
		return nil
	})
	return out
}
