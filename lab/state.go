package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Host is one lab host as recorded in state.json.
type Host struct {
	Name         string `json:"name"`
	Role         string `json:"role"` // master, worker or lb (roles.go)
	IP           string `json:"ip"`
	Index        int    `json:"index"`
	OldDebLayout bool   `json:"oldDebLayout,omitempty"`
	DiskBytes    int64  `json:"diskBytes,omitempty"` // >0: loop-image root of this size
	// VM: a qemu guest (vm.go) instead of a namespace host, with this much
	// memory and an optional spare disk (/dev/disk/by-id/virtio-spare).
	VM            bool  `json:"vm,omitempty"`
	VMMemoryBytes int64 `json:"vmMemoryBytes,omitempty"`
	VMSpareBytes  int64 `json:"vmSpareBytes,omitempty"`
}

// State is what `lab up` records; `lab down` also works without it.
type State struct {
	Name         string `json:"name"`
	Subnet       string `json:"subnet"`
	Gateway      string `json:"gateway"`
	PrefixBits   int    `json:"prefixBits"`
	CgroupPrefix string `json:"cgroupPrefix"`
	Hosts        []Host `json:"hosts"`
	Kubernetes   bool   `json:"kubernetes"`
	K8sVersion   string `json:"k8sVersion,omitempty"`
	PauseImage   string `json:"pauseImage,omitempty"`
	// StaticPodNetwork: the lab applied its own pod network, so its cluster file says cni.plugin: none.
	StaticPodNetwork bool   `json:"staticPodNetwork,omitempty"`
	VMImage          string `json:"vmImage,omitempty"` // the vm hosts' image directory (VMImageDir)
	// LoadBalancer and Endpoint: a lab with several masters (roles.go).
	LoadBalancer string `json:"loadBalancer,omitempty"`
	Endpoint     string `json:"endpoint,omitempty"`
	// Hierarchies are the machine's cgroup hierarchies; Current is the parent
	// directory of the host cgroups in each.
	Hierarchies []Hierarchy `json:"hierarchies"`
}

// Paths of one lab's state directory.
type Paths struct{ Dir string }

func NewPaths(stateRoot, name string) Paths { return Paths{Dir: filepath.Join(stateRoot, name)} }

func (p Paths) StateFile() string   { return filepath.Join(p.Dir, "state.json") }
func (p Paths) Key() string         { return filepath.Join(p.Dir, "id_ed25519") }
func (p Paths) KnownHosts() string  { return filepath.Join(p.Dir, "known_hosts") }
func (p Paths) ClusterFile() string { return filepath.Join(p.Dir, "cluster.yaml") }
func (p Paths) K8sLayer() string    { return filepath.Join(p.Dir, "layers", "k8s") }
func (p Paths) HostsDir() string    { return filepath.Join(p.Dir, "hosts") }
func (p Paths) Host(h string) HostPaths {
	return HostPaths{Dir: filepath.Join(p.Dir, "hosts", h)}
}

// HostPaths are the per-host directories. Everything is on the state
// directory's ext4 filesystem.
type HostPaths struct{ Dir string }

func (h HostPaths) Root() string          { return filepath.Join(h.Dir, "root") }
func (h HostPaths) Disk() string          { return filepath.Join(h.Dir, "disk.img") }
func (h HostPaths) Upper(d string) string { return filepath.Join(h.Dir, "upper", d) }
func (h HostPaths) Work(d string) string  { return filepath.Join(h.Dir, "work", d) }
func (h HostPaths) Containerd() string    { return filepath.Join(h.Dir, "containerd") }
func (h HostPaths) Console() string       { return filepath.Join(h.Dir, "console.log") }
func (h HostPaths) SupervisorLog() string { return filepath.Join(h.Dir, "supervisor.log") }
func (h HostPaths) SupervisorPID() string { return filepath.Join(h.Dir, "supervisor.pid") }
func (h HostPaths) InitPID() string       { return filepath.Join(h.Dir, "init.pid") }

func (p Paths) LoadState() (*State, error) {
	b, err := os.ReadFile(p.StateFile())
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", p.StateFile(), err)
	}
	return &s, nil
}

func (p Paths) SaveState(s *State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(p.StateFile(), append(b, '\n'), 0o644)
}

func (s *State) Host(nameOrIP string) (Host, error) {
	for _, h := range s.Hosts {
		if h.Name == nameOrIP || h.IP == nameOrIP || matchHost(s.Name, h.Name, nameOrIP) {
			return h, nil
		}
	}
	return Host{}, fmt.Errorf("lab %s has no host %q", s.Name, nameOrIP)
}

// CgroupName is the directory of host h in every cgroup hierarchy.
func CgroupName(prefix, host string) string { return prefix + "-" + host }

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
