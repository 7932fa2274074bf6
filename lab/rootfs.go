package lab

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// overlayDirs are the directories a host shares with the machine through an
// overlay with a private upper layer.
var overlayDirs = []string{"etc", "usr", "var"}

// skeletonDirs are the plain directories of a host's own ext4 root.
var skeletonDirs = map[string]os.FileMode{
	"boot": 0o755, "dev": 0o755, "etc": 0o755, "home": 0o755, "media": 0o755, "mnt": 0o755,
	"opt": 0o755, "proc": 0o555, "root": 0o700, "run": 0o755, "srv": 0o755, "sys": 0o555,
	"tmp": 0o1777, "usr": 0o755, "var": 0o755,
}

// unitsKept are the machine's enabled units a host keeps; every other unit
// enabled on the machine is masked in the host's /etc.
var unitsKept = map[string]bool{
	"ssh.service": true, "sshd.service": true, "containerd.service": true, "kubelet.service": true,
	"remote-fs.target": true,
}

// HostSetup carries what prepareHost writes into a host.
type HostSetup struct {
	Lab          string
	Host         Host
	AllHosts     []Host
	AuthorizedPK string // authorized_keys line
	StateRoot    string
	CacheRoot    string
	PauseImage   string // sandbox image reference; "" keeps containerd's default
	// KeepUnits are machine units this host keeps besides unitsKept (its role's, roles.go).
	KeepUnits map[string]bool
}

// prepareHost creates the host's directories and configuration and returns
// the host's public host key line.
func prepareHost(hp HostPaths, s HostSetup) (string, error) {
	for _, d := range overlayDirs {
		for _, p := range []string{hp.Upper(d), hp.Work(d)} {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return "", err
			}
		}
	}
	if err := os.MkdirAll(hp.Containerd(), 0o711); err != nil {
		return "", err
	}
	// The host's root: an ext4 directory, or a staging tree copied into an ext4 image.
	root := hp.Root()
	skel := root
	if s.Host.DiskBytes > 0 {
		skel = filepath.Join(hp.Dir, "skel")
	}
	if err := makeSkeleton(skel, s.AuthorizedPK); err != nil {
		return "", err
	}
	if err := cniPluginLinks(skel); err != nil {
		return "", err
	}
	if s.Host.DiskBytes > 0 {
		if err := os.MkdirAll(root, 0o755); err != nil {
			return "", err
		}
		if _, err := os.Stat(hp.Disk()); err != nil {
			if out, err := exec.Command("mkfs.ext4", "-q", "-F", "-d", skel, hp.Disk(), fmt.Sprintf("%dk", s.Host.DiskBytes/1024)).CombinedOutput(); err != nil {
				return "", fmt.Errorf("mkfs.ext4 %s: %v: %s", hp.Disk(), err, out)
			}
		}
		_ = os.RemoveAll(skel)
	}

	etc := hp.Upper("etc")
	files := map[string]string{
		"hostname":                               s.Host.Name + "\n",
		"hosts":                                  etcHosts(s),
		"machine-id":                             randomHex(16) + "\n",
		"fstab":                                  "# swapboot-lab host " + s.Host.Name + ": no static file systems\n",
		"ssh/sshd_config.d/00-swapboot-lab.conf": sshdConfig,
		"containerd/config.toml":                 containerdConfig(s.PauseImage),
	}
	for name, content := range files {
		if err := writeFileAtomic(filepath.Join(etc, name), []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	// A host key of its own; the machine's other host keys are hidden.
	priv, pub, err := newKeyPair("root@" + s.Host.Name)
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(etc, "ssh/ssh_host_ed25519_key"), priv, 0o600); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(etc, "ssh/ssh_host_ed25519_key.pub"), []byte(pub+"\n"), 0o644); err != nil {
		return "", err
	}
	for _, k := range []string{"rsa", "ecdsa", "dsa"} {
		for _, suf := range []string{"", ".pub"} {
			if _, err := os.Lstat("/etc/ssh/ssh_host_" + k + "_key" + suf); err == nil {
				if err := whiteout(filepath.Join(etc, "ssh", "ssh_host_"+k+"_key"+suf)); err != nil {
					return "", err
				}
			}
		}
	}
	if err := maskMachineUnits(etc, s.KeepUnits); err != nil {
		return "", err
	}
	// Hide the lab's own state and cache from the host's overlays.
	for _, p := range []string{s.StateRoot, s.CacheRoot} {
		for _, d := range overlayDirs {
			if rel, ok := strings.CutPrefix(filepath.Clean(p), "/"+d+"/"); ok {
				if err := whiteout(filepath.Join(hp.Upper(d), rel)); err != nil {
					return "", err
				}
			}
		}
	}
	// /var/lib/containerd is a bind mount of a plain ext4 directory.
	if err := os.MkdirAll(filepath.Join(hp.Upper("var"), "lib/containerd"), 0o711); err != nil {
		return "", err
	}
	// /usr/local is private (opaque) so the machine's tools do not leak in.
	ul := filepath.Join(hp.Upper("usr"), "local")
	if err := os.MkdirAll(ul, 0o755); err != nil {
		return "", err
	}
	if err := unix.Setxattr(ul, "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		return "", fmt.Errorf("mark %s opaque: %w", ul, err)
	}
	return pub, nil
}

// makeSkeleton creates the host's own root tree.
func makeSkeleton(root, authorized string) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(root, 0o755); err != nil {
		return err
	}
	for d, mode := range skeletonDirs {
		p := filepath.Join(root, d)
		if err := os.MkdirAll(p, mode); err != nil {
			return err
		}
		if err := os.Chmod(p, mode); err != nil {
			return err
		}
	}
	for _, l := range []string{"bin", "sbin", "lib", "lib64", "lib32", "libx32"} {
		target, err := os.Readlink("/" + l)
		if err != nil {
			continue
		}
		if _, err := os.Lstat(filepath.Join(root, l)); err == nil {
			continue
		}
		if err := os.Symlink(target, filepath.Join(root, l)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "root/.ssh"), 0o700); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(root, "root/.ssh/authorized_keys"), []byte(authorized+"\n"), 0o600)
}

// whiteout hides path of the lower layer in an overlay upper directory.
func whiteout(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err == nil {
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
			return nil
		}
		if err := os.RemoveAll(path); err != nil {
			return err
		}
	}
	return unix.Mknod(path, unix.S_IFCHR|0o000, 0)
}

// maskMachineUnits masks, in a host's /etc upper, the units the machine
// enables that a node does not run (databases, gettys, timers, ...).
func maskMachineUnits(etcUpper string, keep map[string]bool) error {
	wants, _ := filepath.Glob("/etc/systemd/system/*.wants/*")
	set := map[string]bool{}
	for _, w := range wants {
		u := filepath.Base(w)
		if !unitsKept[u] && !keep[u] {
			set[u] = true
		}
	}
	units := make([]string, 0, len(set))
	for u := range set {
		units = append(units, u)
	}
	sort.Strings(units)
	for _, u := range units {
		p := filepath.Join(etcUpper, "systemd/system", u)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		_ = os.Remove(p)
		if err := os.Symlink("/dev/null", p); err != nil {
			return err
		}
	}
	return nil
}

func etcHosts(s HostSetup) string {
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	for _, h := range s.AllHosts {
		fmt.Fprintf(&b, "%s\t%s\n", h.IP, h.Name)
	}
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

const sshdConfig = `# swapboot-lab: key-only root login with this host's own key.
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
MaxStartups 200
MaxSessions 100
`
