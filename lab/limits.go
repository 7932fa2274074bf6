package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MaxSwapAreas is the kernel's limit of active swap areas measured on this
// kind of machine (the 29th swapon fails with EPERM).
const MaxSwapAreas = 28

const inotifySysctl = "/proc/sys/fs/inotify/max_user_instances"

// inotifyPerHost is what a systemd host uses (~14) plus a control plane's
// share (~13), rounded up.
const inotifyPerHost = 32

// freeSwapSlots is how many more swap areas the kernel accepts.
func freeSwapSlots() (int, error) {
	b, err := os.ReadFile("/proc/swaps")
	if err != nil {
		return 0, err
	}
	return MaxSwapAreas - len(ParseSwaps(string(b))), nil
}

func readIntFile(p string) (int, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// inotifyOrigFile records the machine's value before any lab raised it; it
// lives beside the labs so the last lab down restores it.
func inotifyOrigFile(stateRoot string) string {
	return filepath.Join(stateRoot, ".inotify-max-user-instances.orig")
}

// raiseInotify makes room for n more systemd hosts.
func raiseInotify(stateRoot string, running, n int) error {
	cur, err := readIntFile(inotifySysctl)
	if err != nil {
		return err
	}
	want := 128 + inotifyPerHost*(running+n)
	if cur >= want {
		return nil
	}
	if _, err := os.Stat(inotifyOrigFile(stateRoot)); err != nil {
		if err := writeFileAtomic(inotifyOrigFile(stateRoot), []byte(strconv.Itoa(cur)+"\n"), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(inotifySysctl, []byte(strconv.Itoa(want)), 0o644); err != nil {
		return fmt.Errorf("raise fs.inotify.max_user_instances to %d: %w", want, err)
	}
	return nil
}

// restoreInotify puts the original value back when no lab remains.
func restoreInotify(stateRoot string) error {
	if labsPresent(stateRoot) > 0 {
		return nil
	}
	orig, err := readIntFile(inotifyOrigFile(stateRoot))
	if err != nil {
		if isNotExist(err) {
			return nil
		}
		return err
	}
	if err := os.WriteFile(inotifySysctl, []byte(strconv.Itoa(orig)), 0o644); err != nil {
		return err
	}
	return os.Remove(inotifyOrigFile(stateRoot))
}

// labsPresent counts lab state directories and their hosts.
func labsPresent(stateRoot string) int {
	ents, _ := os.ReadDir(stateRoot)
	n := 0
	for _, e := range ents {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			hs, _ := os.ReadDir(filepath.Join(stateRoot, e.Name(), "hosts"))
			n += len(hs)
		}
	}
	return n
}
