package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// Up creates and starts a lab. On error the partial lab stays for
// inspection; Down removes it.
func Up(o Options) (*State, error) {
	start := time.Now()
	if err := o.Normalize(); err != nil {
		return nil, err
	}
	if o.Hosts < 1 {
		return nil, fmt.Errorf("need at least one host")
	}
	if o.VMWorkers < 0 || o.VMWorkers > o.Hosts-1 {
		return nil, fmt.Errorf("--vm-workers %d: want 0 to %d (workers only; the master is a namespace host)", o.VMWorkers, o.Hosts-1)
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("lab up needs root")
	}
	if err := closeInheritedOnExec(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.StateRoot, 0o755); err != nil {
		return nil, err
	}
	if err := requireExt4(o.StateRoot); err != nil {
		return nil, err
	}
	unlock, err := lockLab(o.StateRoot, o.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p := NewPaths(o.StateRoot, o.Name)
	if _, err := os.Stat(p.Dir); err == nil {
		return nil, fmt.Errorf("lab %s already exists at %s (run lab down --name %s first)", o.Name, p.Dir, o.Name)
	}
	if left := append(labNetnsNames(o.Name), labLinks(o.Name)...); len(left) > 0 {
		return nil, fmt.Errorf("lab %s has leftovers %v (run lab down --name %s first)", o.Name, left, o.Name)
	}
	if err := subnetInUse(o.Name, o.Subnet); err != nil {
		return nil, err
	}
	free, err := freeSwapSlots()
	if err != nil {
		return nil, err
	}
	if n := o.Hosts - o.VMWorkers; n > free { // guests swap in their own kernel
		return nil, fmt.Errorf("%d hosts need %d swap areas but the kernel has only %d free of %d", n, n, free, MaxSwapAreas)
	}
	hs, err := Hierarchies()
	if err != nil {
		return nil, err
	}
	st, err := planHosts(o, hs)
	if err != nil {
		return nil, err
	}

	var k8sDir, flannelDir string
	if !o.NoKubernetes {
		if k8sDir, err = ensureK8s(o); err != nil {
			return nil, err
		}
		if flannelDir, err = ensureFlannel(o); err != nil {
			return nil, err
		}
		images, err := readImages(k8sDir)
		if err != nil {
			return nil, err
		}
		st.PauseImage = pauseImage(images)
		if st.PauseImage == "" {
			return nil, fmt.Errorf("%s/images.txt names no pause image", k8sDir)
		}
	}
	if o.VMWorkers > 0 {
		if st.VMImage, err = EnsureVMImage(o); err != nil {
			return nil, err
		}
	}

	running := labsPresent(o.StateRoot)
	if err := os.MkdirAll(p.HostsDir(), 0o755); err != nil {
		return nil, err
	}
	if err := p.SaveState(st); err != nil {
		return nil, err
	}
	if err := raiseInotify(o.StateRoot, running, len(st.Hosts)); err != nil {
		return st, err
	}
	pub, err := ensureClientKey(p)
	if err != nil {
		return st, err
	}
	if st.Kubernetes {
		if err := buildK8sLayer(p, k8sDir); err != nil {
			return st, err
		}
	}

	// Files of every host, in parallel.
	hostKeys := make([]string, len(st.Hosts))
	var g errgroup.Group
	for i, h := range st.Hosts {
		g.Go(func() error {
			hp := p.Host(h.Name)
			setup := HostSetup{Lab: o.Name, Host: h, AllHosts: st.Hosts, AuthorizedPK: pub,
				StateRoot: o.StateRoot, CacheRoot: o.CacheRoot, PauseImage: st.PauseImage, KeepUnits: keptUnits(st.LoadBalancer, h)}
			if h.VM {
				key, err := prepareVM(hp, setup, st)
				hostKeys[i] = key
				if err != nil {
					return fmt.Errorf("%s: %w", h.Name, err)
				}
				return nil
			}
			key, err := prepareHost(hp, setup)
			if err != nil {
				return fmt.Errorf("%s: %w", h.Name, err)
			}
			if st.Kubernetes {
				if err := installKubeletFiles(hp, h); err != nil {
					return fmt.Errorf("%s: %w", h.Name, err)
				}
			}
			if err := prepareLBHost(hp, h, st); err != nil {
				return fmt.Errorf("%s: %w", h.Name, err)
			}
			hostKeys[i] = key
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return st, err
	}
	var kh strings.Builder
	for i, h := range st.Hosts {
		kh.WriteString(knownHostsLine(h, hostKeys[i]) + "\n")
	}
	if err := writeFileAtomic(p.KnownHosts(), []byte(kh.String()), 0o644); err != nil {
		return st, err
	}
	if err := writeFileAtomic(p.ClusterFile(), []byte(ClusterFile(st, p)), 0o644); err != nil {
		return st, err
	}

	// Network, then the hosts.
	if err := setupBridge(o.Name, st.Gateway, st.PrefixBits); err != nil {
		return st, err
	}
	for _, h := range st.Hosts {
		setup := setupHostNetwork
		if h.VM {
			setup = func(lab string, h Host, _ string, _ int) error { return setupTap(lab, h) }
		}
		if err := setup(o.Name, h, st.Gateway, st.PrefixBits); err != nil {
			return st, fmt.Errorf("%s: %w", h.Name, err)
		}
	}
	for _, h := range st.Hosts { // guests first: they take longest to boot
		if h.VM {
			if err := startVM(p, h, st); err != nil {
				return st, err
			}
		}
	}
	for _, h := range st.Hosts {
		if h.VM {
			continue
		}
		if err := startSupervisor(p, h); err != nil {
			return st, err
		}
	}
	fmt.Fprintf(o.Log, "lab %s: %d hosts started in %.1fs, waiting for sshd and systemd\n", o.Name, len(st.Hosts), time.Since(start).Seconds())
	for _, h := range st.Hosts {
		g.Go(func() error {
			alive := func() bool { return hostInitPID(p.Host(h.Name), CgroupName(st.CgroupPrefix, h.Name)) > 0 }
			timeout := 90 * time.Second
			if h.VM {
				alive = func() bool { return vmPID(p.Host(h.Name)) > 0 }
				timeout = vmBootTimeout
			}
			t := time.Now()
			state, err := waitHostReady(p, h, alive, timeout)
			if h.VM && err == nil {
				fmt.Fprintf(o.Log, "lab %s: %s (vm) ready in %.1fs\n", o.Name, h.Name, time.Since(t).Seconds())
			}
			if err != nil {
				return fmt.Errorf("%w\n%s", err, indent(diagnoseHost(o, p, h)))
			}
			if state != "running" {
				fmt.Fprintf(o.Log, "lab %s: %s systemd is %s\n", o.Name, h.Name, state)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return st, err
	}
	if st.Kubernetes {
		t := time.Now()
		for _, h := range st.Hosts {
			if h.VM {
				g.Go(func() error { return importVMImages(o, h, st.VMImage) })
				continue
			}
			g.Go(func() error {
				if err := importImages(o, h.Name, k8sDir); err != nil {
					return err
				}
				return importImages(o, h.Name, flannelDir)
			})
		}
		if err := g.Wait(); err != nil {
			return st, err
		}
		fmt.Fprintf(o.Log, "lab %s: Kubernetes, flannel and tools images imported in %.1fs\n", o.Name, time.Since(t).Seconds())
		if o.StaticPodNetwork {
			if err := applyPodNetwork(o, st); err != nil {
				return st, err
			}
		}
	}
	fmt.Fprintf(o.Log, "lab %s: up in %.1fs; cluster file %s\n", o.Name, time.Since(start).Seconds(), p.ClusterFile())
	return st, nil
}

// planHosts computes names, addresses and per-host options.
func planHosts(o Options, hs []Hierarchy) (*State, error) {
	st := &State{Name: o.Name, Subnet: o.Subnet, CgroupPrefix: o.CgroupPrefix, Kubernetes: !o.NoKubernetes, Hierarchies: hs,
		StaticPodNetwork: o.StaticPodNetwork && !o.NoKubernetes}
	if st.Kubernetes {
		st.K8sVersion = o.K8sVersion
	}
	usedOld := map[string]bool{}
	usedDisk := map[string]bool{}
	names, roles := labHosts(o)
	for i, name := range names {
		ip, gw, bits, err := HostIP(o.Subnet, i)
		if err != nil {
			return nil, err
		}
		st.Gateway, st.PrefixBits = gw.String(), bits
		h := Host{Name: name, IP: ip.String(), Index: i, Role: roles[i]}
		for _, s := range o.OldDebLayout {
			if matchHost(o.Name, name, s) {
				h.OldDebLayout = true
				usedOld[s] = true
			}
		}
		for s, size := range o.SmallDisk {
			if matchHost(o.Name, name, s) {
				n, err := ParseSizeBytes(size)
				if err != nil {
					return nil, fmt.Errorf("--small-disk %s=%s: %w", s, size, err)
				}
				if n < 16<<20 {
					return nil, fmt.Errorf("--small-disk %s=%s: at least 16M", s, size)
				}
				h.DiskBytes = n
				usedDisk[s] = true
			}
		}
		// The last VMWorkers of the N hosts (workers); the load-balancer host comes after them.
		if roles[i] == "worker" && i < o.Hosts && i >= o.Hosts-o.VMWorkers {
			if h.OldDebLayout || h.DiskBytes > 0 {
				return nil, fmt.Errorf("%s is a vm host: --old-deb-layout and --small-disk are for namespace hosts", name)
			}
			if err := planVM(o, &h); err != nil {
				return nil, err
			}
		}
		st.Hosts = append(st.Hosts, h)
	}
	for _, s := range o.OldDebLayout {
		if !usedOld[s] {
			return nil, fmt.Errorf("--old-deb-layout: no host %q", s)
		}
	}
	for s := range o.SmallDisk {
		if !usedDisk[s] {
			return nil, fmt.Errorf("--small-disk: no host %q", s)
		}
	}
	if o.Masters > 1 {
		st.LoadBalancer = o.LoadBalancer
		st.Endpoint = endpoint(o, st)
	}
	return st, nil
}

// startSupervisor starts the host's supervisor, detached from the caller's
// session; it outlives `lab up`.
func startSupervisor(p Paths, h Host) error {
	hp := p.Host(h.Name)
	logf, err := os.OpenFile(hp.SupervisorLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "_host", p.Dir, h.Name)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start supervisor of %s: %w", h.Name, err)
	}
	// Reap it if this process lives long enough (tests); otherwise it is
	// inherited by the machine's init.
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	cg := CgroupName(mustState(p).CgroupPrefix, h.Name)
	deadline := time.Now().Add(10 * time.Second)
wait:
	for time.Now().Before(deadline) {
		if hostInitPID(hp, cg) > 0 {
			return nil
		}
		select {
		case <-done:
			break wait
		case <-time.After(20 * time.Millisecond):
		}
	}
	b, _ := os.ReadFile(hp.SupervisorLog())
	return fmt.Errorf("host %s did not start: %s", h.Name, lastLines(string(b), 10))
}

func mustState(p Paths) *State {
	st, err := p.LoadState()
	if err != nil {
		return &State{CgroupPrefix: DefaultCgroupPrefix}
	}
	return st
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func requireExt4(dir string) error {
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return err
	}
	if fs.Type != unix.EXT4_SUPER_MAGIC {
		return errors.New(filepath.Clean(dir) + " is not on ext4: hosts' roots must be on ext4 so swapon works")
	}
	return nil
}
