package e2e

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/swapboot/swapboot/lab"
)

// startLab starts a lab for a test; set (may be nil) adjusts the options (NoKubernetes, SmallDisk).
// The lab is torn down in t.Cleanup, also when the test fails, and checked gone.
func startLab(t *testing.T, name, subnet string, hosts int, set func(*lab.Options)) *env {
	t.Helper()
	requireRoot(t)
	e := &env{t: t, swapboot: buildSwapboot(t)}
	e.opts = lab.Options{Name: name, Hosts: hosts, Subnet: subnet, CgroupPrefix: "swapboot-" + name,
		BuildScript:        filepath.Join(repoRoot(t), "lab", "k8sbuild", "build.sh"),
		FlannelBuildScript: filepath.Join(repoRoot(t), "lab", "flannelbuild", "build.sh"),
		Log:                os.Stderr}
	if set != nil {
		set(&e.opts)
	}
	// A lab a crashed run left (only its directory: nothing runs) is removed. Another run of these
	// tests (e.g. a concurrent `make test`) may hold a live one: fail without registering the teardown,
	// which would destroy that run's lab.
	if r, err := lab.Status(e.opts); err == nil && r.Stale() {
		t.Logf("lab %s: removing the directory a crashed run left (nothing of it runs)", name)
		if err := lab.Down(e.opts); err != nil {
			t.Fatalf("lab %s: removing a crashed run's lab: %v", name, err)
		}
	}
	if r, err := lab.Status(e.opts); err != nil || !r.Empty() {
		t.Fatalf("lab %s exists already: another run of these tests uses it, or a crashed one left it (bin/lab down --name %s): %+v %v", name, name, r, err)
	}
	t.Cleanup(func() {
		if err := lab.Down(e.opts); err != nil {
			t.Errorf("lab down: %v", err)
		}
		r, err := lab.Status(e.opts)
		if err != nil || !r.Empty() {
			t.Errorf("lab %s left something behind after down: %+v (%v)", name, r, err)
		}
	})
	start := time.Now()
	st, err := lab.Up(e.opts)
	if err != nil {
		t.Fatalf("lab up: %v", err)
	}
	t.Logf("lab %s: %d hosts up in %.1fs", name, hosts, time.Since(start).Seconds())
	e.state = st
	_ = e.opts.Normalize()
	e.dir = lab.NewPaths(e.opts.StateRoot, name).Dir
	e.kubectl = filepath.Join(lab.K8sDir(e.opts.CacheRoot, e.opts.K8sVersion), "bin", "kubectl")
	e.clusterFile = filepath.Join(e.dir, "cluster.yaml")
	return e
}

// ip is the address of lab host i (0 is the master).
func (e *env) ip(i int) string { return e.state.Hosts[i].IP }

// name is the lab name of host i.
func (e *env) name(i int) string { return e.state.Hosts[i].Name }

// labKey is the lab's client key, authorized for root on every host.
func (e *env) labKey() string { return filepath.Join(e.dir, "id_ed25519") }

// cluster writes a variant of the lab's cluster file: ssh is the value of the cluster-wide ssh: field,
// master and workers are YAML flow items (an IP or a {address: ..., ssh: {...}} mapping). The other
// fields (networking, swap, kubelet, nodeRegistration) are the lab's.
func (e *env) cluster(file, sshValue, master string, workers ...string) string {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(e.dir, "cluster.yaml"))
	if err != nil {
		e.t.Fatal(err)
	}
	var lines []string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "ssh:"):
			line = "ssh: " + sshValue
		case strings.HasPrefix(line, "masters:"):
			line = "masters: [" + master + "]"
		case strings.HasPrefix(line, "workers:"):
			line = "workers: [" + strings.Join(workers, ", ") + "]"
		}
		lines = append(lines, line)
	}
	path := filepath.Join(e.t.TempDir(), file)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// sshValue is a cluster-wide ssh: mapping with the lab key and the given known_hosts file.
func (e *env) sshValue(knownHosts string, extra ...string) string {
	fields := append([]string{"user: root", "keyFile: " + e.labKey(), "knownHosts: " + knownHosts}, extra...)
	return "{" + strings.Join(fields, ", ") + "}"
}

// runOut is a finished swapboot run.
type runOut struct {
	code   int
	out    string
	report *runReport // from --report, when the command wrote one
}

// runReport is swapboot's --report JSON.
type runReport struct {
	Hosts []struct {
		Host  string `json:"host"`
		Role  string `json:"role"`
		Steps []struct {
			Phase  string `json:"phase"`
			Status string `json:"status"`
			Detail string `json:"detail"`
		} `json:"steps"`
		Errors []string `json:"errors"`
	} `json:"hosts"`
	Interrupted bool     `json:"interrupted"`
	Changes     int      `json:"changes"`
	ExitCode    int      `json:"exitCode"`
	Notes       []string `json:"notes"`
}

// step returns the status of host's phase in the report ("" when the host has no such step).
func (r *runReport) step(host, phase string) string {
	if r == nil {
		return ""
	}
	for _, h := range r.Hosts {
		if h.Host == host {
			for _, s := range h.Steps {
				if s.Phase == phase {
					return s.Status
				}
			}
		}
	}
	return ""
}

// changed lists "host phase" for every step that changed something.
func (r *runReport) changed() []string {
	var out []string
	if r == nil {
		return nil
	}
	for _, h := range r.Hosts {
		for _, s := range h.Steps {
			if s.Status == "changed" {
				out = append(out, h.Host+" "+s.Phase)
			}
		}
	}
	return out
}

// running is a swapboot process whose combined output is read as it comes.
type running struct {
	t      *testing.T
	cmd    *exec.Cmd
	report string
	start  time.Time

	mu   sync.Mutex
	buf  strings.Builder
	done chan struct{}
	code int
}

// start runs swapboot (--verbose; for up/add-node a --report file is added) with extra environment
// variables ("NAME=value"). SSH_AUTH_SOCK is dropped so only the cluster file's keys are used.
func (e *env) start(extraEnv []string, args ...string) *running {
	e.t.Helper()
	r := &running{t: e.t, done: make(chan struct{}), start: time.Now()}
	if len(args) > 0 && (args[0] == "up" || args[0] == "add-node") {
		r.report = filepath.Join(e.t.TempDir(), "report.json")
		args = append([]string{args[0], "--report", r.report}, args[1:]...)
	}
	args = append([]string{"--verbose"}, args...)
	r.cmd = exec.Command(e.swapboot, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SSH_AUTH_SOCK=") && !strings.HasPrefix(kv, "SWAPBOOT_") {
			r.cmd.Env = append(r.cmd.Env, kv)
		}
	}
	r.cmd.Env = append(r.cmd.Env, extraEnv...)
	pr, pw, err := os.Pipe()
	if err != nil {
		e.t.Fatal(err)
	}
	r.cmd.Stdout, r.cmd.Stderr = pw, pw
	if err := r.cmd.Start(); err != nil {
		e.t.Fatalf("start swapboot: %v", err)
	}
	pw.Close()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			r.mu.Lock()
			r.buf.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
		}
		pr.Close()
		err := r.cmd.Wait()
		r.code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				r.code = 128 + int(ws.Signal())
			}
		} else if err != nil {
			r.code = -1
		}
		close(r.done)
	}()
	e.t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill() // a test that failed half-way: never leave swapboot running
			<-r.done
		}
	})
	return r
}

func (r *running) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// waitFor waits until a line of the output matches pattern and returns it; it fails the test when the
// process ends first or the timeout passes.
func (r *running) waitFor(pattern string, timeout time.Duration) string {
	r.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(timeout)
	for {
		for _, line := range strings.Split(r.output(), "\n") {
			if re.MatchString(line) {
				return line
			}
		}
		select {
		case <-r.done:
			r.t.Fatalf("swapboot ended (exit %d) before printing a line matching %q:\n%s", r.code, pattern, r.output())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no line matching %q within %s:\n%s", pattern, timeout, r.output())
		}
	}
}

// wait waits for the end of the run and returns its outcome.
func (r *running) wait(timeout time.Duration) runOut {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(timeout):
		_ = r.cmd.Process.Kill()
		<-r.done
		r.t.Fatalf("swapboot did not end within %s:\n%s", timeout, r.output())
	}
	res := runOut{code: r.code, out: r.output()}
	r.t.Logf("swapboot %s -> exit %d after %.1fs\n%s", strings.Join(r.cmd.Args[1:], " "), r.code,
		time.Since(r.start).Seconds(), res.out)
	if r.report != "" {
		if data, err := os.ReadFile(r.report); err == nil {
			res.report = &runReport{}
			if err := json.Unmarshal(data, res.report); err != nil {
				r.t.Fatalf("report %s: %v\n%s", r.report, err, data)
			}
		}
	}
	return res
}

// run runs swapboot to its end (at most 10 minutes).
func (e *env) run(extraEnv []string, args ...string) runOut {
	e.t.Helper()
	return e.start(extraEnv, args...).wait(10 * time.Minute)
}

// nodeStatus is one host of `swapboot status -o json`.
type nodeStatus struct {
	Host      string   `json:"host"`
	Address   string   `json:"address"`
	Reachable bool     `json:"reachable"`
	Kubeadm   string   `json:"kubeadmVersion"`
	NodeName  string   `json:"nodeName"`
	SwapAreas int      `json:"swapAreas"`
	Problems  []string `json:"problems"`
	// Cgroup, FailSwapOn, SwapBehavior and NodeSwapCapacity: the kubelet's swap settings and what the node
	// reports to the API.
	Cgroup           string `json:"cgroup"`
	FailSwapOn       bool   `json:"failSwapOn"`
	SwapBehavior     string `json:"swapBehavior"`
	NodeSwapCapacity *int64 `json:"nodeSwapCapacity"`
	SwapLabel        string `json:"swapLabel"`
	SwapTaint        string `json:"swapTaint"`
	// Ready is the node's Ready condition; CNIPod the state of the pod network's pod on it (flannel only).
	Ready  string `json:"ready"`
	CNIPod string `json:"cniPod"`
	// ProcSwaps are the host's swap areas with their kind; SummarySwap what its kubelet's Summary API says.
	ProcSwaps []struct {
		Name    string `json:"name"`
		Kind    string `json:"kind"`
		SizeKiB int64  `json:"sizeKiB"`
	} `json:"procSwaps"`
	SummarySwap *kubeletSwap `json:"summarySwap"`
	OK          bool         `json:"ok"`
}

// kubeletSwap is node.swap of the kubelet's Summary API, and status's summarySwap.
type kubeletSwap struct {
	UsageBytes     *int64 `json:"swapUsageBytes"`
	AvailableBytes *int64 `json:"swapAvailableBytes"`
}

// status runs `swapboot status -o json` on file and returns the hosts by address.
func (e *env) status(file string, extraEnv []string, flags ...string) (map[string]nodeStatus, runOut) {
	e.t.Helper()
	res := e.run(extraEnv, append(append([]string{"status", "-o", "json"}, flags...), file)...)
	// The JSON list starts on a line of its own; debug log lines (--verbose) come before it.
	start := -1
	if loc := regexp.MustCompile(`(?m)^\[$`).FindStringIndex(res.out); loc != nil {
		start = loc[0]
	}
	end := strings.LastIndex(res.out, "]")
	var list []nodeStatus
	if start < 0 || end < start || json.Unmarshal([]byte(res.out[start:end+1]), &list) != nil {
		e.t.Fatalf("status -o json: exit %d, no JSON list:\n%s", res.code, res.out)
	}
	out := map[string]nodeStatus{}
	for _, s := range list {
		out[s.Address] = s
	}
	return out, res
}

// reached reports whether status connected to the host and read its facts.
func (s nodeStatus) reached() bool {
	if !s.Reachable {
		return false
	}
	for _, p := range s.Problems {
		if strings.HasPrefix(p, "facts:") {
			return false
		}
	}
	return true
}

func (s nodeStatus) problems() string { return strings.Join(s.Problems, " | ") }

// hostTry runs a command in a lab host (nsenter, no SSH) and returns its exit code and output; it does not
// fail the test on a non-zero exit.
func (e *env) hostTry(name string, argv ...string) (int, string) {
	e.t.Helper()
	var out strings.Builder
	code, err := lab.Exec(e.opts, name, argv, nil, &out, &out)
	if err != nil {
		e.t.Fatalf("%s: %v: %v", name, argv, err)
	}
	return code, out.String()
}

// fingerprint is the SHA256 fingerprint of an authorized_keys line.
func fingerprint(t *testing.T, pub string) string {
	t.Helper()
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pub))
	if err != nil {
		t.Fatalf("parse %q: %v", pub, err)
	}
	return ssh.FingerprintSHA256(k)
}

// keyOnly drops the comment of an authorized_keys line.
func keyOnly(pub string) string {
	f := strings.Fields(pub)
	if len(f) < 2 {
		return pub
	}
	return f[0] + " " + f[1]
}

// knownHostsFile writes a known_hosts file with the given "address pubkey" entries. It lives in the
// top-level test's directory: a subtest's directory name may hold characters YAML would need quoted.
func (e *env) knownHostsFile(entries map[string]string) string {
	t := e.t
	t.Helper()
	var b strings.Builder
	for addr, pub := range entries {
		fmt.Fprintf(&b, "%s %s\n", addr, keyOnly(pub))
	}
	path := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostKeys returns every lab host's current host key, by address.
func (e *env) hostKeys() map[string]string {
	e.t.Helper()
	keys := map[string]string{}
	for _, h := range e.state.Hosts {
		k, err := lab.HostKey(e.opts, h.Name)
		if err != nil {
			e.t.Fatal(err)
		}
		keys[h.IP] = k
	}
	return keys
}

// untouched asserts that swapboot changed nothing on the hosts: no swap file, no swapboot state, no
// kubeadm files, no fstab line.
func (e *env) untouched(names ...string) {
	e.t.Helper()
	for _, n := range names {
		_, out := e.hostTry(n, "sh", "-c", "ls -d /swapfile /swapfile.swapboot-new /var/lib/swapboot /etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf 2>/dev/null; grep -c swapfile /etc/fstab; true")
		if strings.TrimSpace(out) != "0" {
			e.t.Errorf("%s was changed: %q", n, out)
		}
		if e.swapOn(n) {
			e.t.Errorf("%s: swap is on", n)
		}
	}
}

// timed logs how long a phase of a test took.
func timed(t *testing.T, what string) func() {
	start := time.Now()
	return func() { t.Logf("TIMING %s: %.1fs", what, time.Since(start).Seconds()) }
}

// newClientKey writes a new ed25519 private key file (0600) and returns its path and authorized_keys line.
func newClientKey(t *testing.T) (string, string) {
	t.Helper()
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(sk, "")
	if err != nil {
		t.Fatal(err)
	}
	spk, err := ssh.NewPublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spk)))
}

// noProcessWithin reports whether no process named comm runs on the host, waiting up to d for that.
func (e *env) noProcessWithin(host, comm string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if code, _ := e.hostTry(host, "pgrep", "-x", comm); code != 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitNoProcess waits until no process named comm runs on the host; after d it kills them (by pid) and
// says so in the log, so a later run starts from a quiet host.
func (e *env) waitNoProcess(host, comm string, d time.Duration) {
	e.t.Helper()
	if e.noProcessWithin(host, comm, d) {
		return
	}
	_, ps := e.hostTry(host, "sh", "-c", "ps -o pid,args -p \"$(pgrep -d, -x "+comm+")\"; kill -KILL $(pgrep -x "+comm+")")
	e.t.Logf("%s: %s still ran after %s; killed:\n%s", host, comm, d, ps)
}

// waitProcess waits until a process named comm runs on the host.
func (e *env) waitProcess(host, comm string, d time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if code, _ := e.hostTry(host, "pgrep", "-x", comm); code == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: no %s process within %s", host, comm, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
