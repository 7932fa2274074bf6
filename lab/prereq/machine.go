package prereq

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// RealMachine reads this machine.
type RealMachine struct{}

func (RealMachine) IsRoot() bool { return os.Geteuid() == 0 }

func (RealMachine) HasAPT() bool {
	_, err := exec.LookPath("apt-get")
	return err == nil
}

// MissingPackages asks dpkg-query for every package at once.
func (RealMachine) MissingPackages(pkgs []string) ([]string, error) {
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		return nil, errors.New("dpkg-query is not on PATH")
	}
	// Unknown packages make dpkg-query exit 1 with a message on stderr; the
	// ones it knows are still printed, so the exit code is not an error here.
	out, _ := exec.Command("dpkg-query", append([]string{"-W", "-f=${Package} ${Status}\n"}, pkgs...)...).Output()
	installed := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[1] == "install" && f[3] == "installed" {
			installed[strings.SplitN(f[0], ":", 2)[0]] = true
		}
	}
	var missing []string
	for _, p := range pkgs {
		if !installed[p] {
			missing = append(missing, p)
		}
	}
	return missing, nil
}

func (RealMachine) Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (RealMachine) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

func (RealMachine) FreeBytes(path string) (uint64, string, error) {
	p := filepath.Clean(path)
	for {
		if _, err := os.Stat(p); err == nil {
			break
		}
		if p == "/" || p == "." {
			return 0, "", fmt.Errorf("no existing parent of %s", path)
		}
		p = filepath.Dir(p)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return 0, "", err
	}
	return st.Bavail * uint64(st.Bsize), fsTypeName(st.Type), nil
}

func fsTypeName(t int64) string {
	switch t {
	case unix.EXT4_SUPER_MAGIC:
		return "ext4" // ext2 and ext3 share the magic; the lab only needs swapon to work, which they allow too
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlayfs"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	}
	return fmt.Sprintf("file system 0x%x", t)
}

func (RealMachine) Install(pkgs []string, out io.Writer) error {
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for _, args := range [][]string{
		{"update", "-q"},
		append([]string{"install", "-y", "-q", "--no-install-recommends"}, pkgs...),
	} {
		cmd := exec.Command("apt-get", args...)
		cmd.Stdout, cmd.Stderr, cmd.Env = out, out, env
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("apt-get %s: %w", args[0], err)
		}
	}
	return nil
}
