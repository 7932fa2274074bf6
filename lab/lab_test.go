package lab

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
	"golang.org/x/sys/unix"
)

// The test binary doubles as the lab binary: supervisors and init stages
// re-execute it with a hidden helper name.
func TestMain(m *testing.M) {
	HelperMain()
	os.Exit(m.Run())
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("\n\n*** SKIPPED: the lab tests need root (namespaces, mounts, cgroups, swap). Run: sudo go test ./lab/ ***\n\n")
	}
}

// testOptions returns a lab with a unique name and subnet so tests can run
// next to a developer's lab.
func testOptions(t *testing.T, hosts int) Options {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	o := Options{
		Name:         "t" + hex.EncodeToString(b)[:5],
		Hosts:        hosts,
		Subnet:       fmt.Sprintf("10.%d.%d.0/24", 200+int(b[0])%50, b[1]),
		NoKubernetes: true,
		Log:          testWriter{t},
	}
	if err := o.Normalize(); err != nil {
		t.Fatal(err)
	}
	return o
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// upForTest brings a lab up and registers a teardown that runs even when the
// test fails, then asserts that nothing of the lab remains.
func upForTest(t *testing.T, o Options) *State {
	t.Helper()
	swapsBefore := swapCount(t)
	t.Cleanup(func() {
		if err := Down(o); err != nil {
			t.Errorf("down: %v", err)
		}
		assertGone(t, o, swapsBefore)
	})
	start := time.Now()
	st, err := Up(o)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	t.Logf("up %d hosts in %.1fs", o.Hosts, time.Since(start).Seconds())
	return st
}

func swapCount(t *testing.T) int {
	b, err := os.ReadFile("/proc/swaps")
	if err != nil {
		t.Fatal(err)
	}
	return len(ParseSwaps(string(b)))
}

// assertGone checks the kernel and the disk directly, not only Status.
func assertGone(t *testing.T, o Options, swapsBefore int) {
	t.Helper()
	r, err := Status(o)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Empty() {
		var b bytes.Buffer
		r.Print(&b)
		t.Errorf("leftovers after down:\n%s", b.String())
	}
	p := NewPaths(o.StateRoot, o.Name)
	if _, err := os.Stat(p.Dir); err == nil {
		t.Errorf("state dir %s remains", p.Dir)
	}
	if out, _ := exec.Command("ip", "netns", "list").Output(); strings.Contains(string(out), o.Name+"-") {
		t.Errorf("netns remain: %s", out)
	}
	if out, _ := exec.Command("ip", "-o", "link").Output(); strings.Contains(string(out), " "+o.Name+"-") {
		t.Errorf("interfaces remain: %s", out)
	}
	if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), p.Dir) {
		t.Errorf("mounts under %s remain", p.Dir)
	}
	if out, _ := exec.Command("losetup", "-a").Output(); strings.Contains(string(out), p.Dir) {
		t.Errorf("loop devices remain: %s", out)
	}
	if cg := findCgroupDirs(o.CgroupPrefix, o.Name); len(cg) > 0 {
		t.Errorf("cgroups remain: %v", cg)
	}
	for _, pr := range listProcs() {
		if pr.State != "Z" && strings.Contains(strings.Join(pr.Argv, " "), p.Dir) {
			t.Errorf("process remains: %d %v", pr.PID, pr.Argv)
		}
	}
	if n := swapCount(t); n != swapsBefore {
		t.Errorf("swap areas: %d before, %d after", swapsBefore, n)
	}
}

// dialHost connects with x/crypto/ssh, checking the host key against the
// lab's known_hosts.
func dialHost(t *testing.T, p Paths, h Host) *ssh.Client {
	t.Helper()
	keyPEM, err := os.ReadFile(p.Key())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	hk, err := knownhosts.New(p.KnownHosts())
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", net.JoinHostPort(h.IP, "22"), &ssh.ClientConfig{
		User: "root", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: hk, Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatalf("ssh %s: %v", h.Name, err)
	}
	return c
}

func sshRun(t *testing.T, c *ssh.Client, cmd string) string {
	t.Helper()
	out, err := sshOutput(c, cmd)
	if err != nil {
		t.Fatalf("%s: %v: %s", cmd, err, out)
	}
	return out
}

func TestLabHostsSSHSystemdSwap(t *testing.T) {
	requireRoot(t)
	o := testOptions(t, 3)
	st := upForTest(t, o)
	p := NewPaths(o.StateRoot, o.Name)

	clients := map[string]*ssh.Client{}
	for _, h := range st.Hosts {
		c := dialHost(t, p, h)
		defer c.Close()
		clients[h.Name] = c
		if got := sshRun(t, c, "hostname"); got != h.Name {
			t.Errorf("%s: hostname %q", h.Name, got)
		}
		if got := sshRun(t, c, "cat /proc/1/comm"); got != "systemd" {
			t.Errorf("%s: PID 1 is %q", h.Name, got)
		}
		state, _ := sshOutput(c, "systemctl is-system-running")
		if state != "running" {
			failed, _ := sshOutput(c, "systemctl --failed --no-legend --plain")
			if state != "degraded" || failed == "" {
				t.Errorf("%s: systemd %q (failed units: %s)", h.Name, state, failed)
			} else {
				t.Logf("%s: degraded because of: %s", h.Name, failed)
			}
		}
		if got := sshRun(t, c, "systemctl is-active ssh containerd"); got != "active\nactive" {
			t.Errorf("%s: ssh/containerd: %q", h.Name, got)
		}
		if got := sshRun(t, c, "ip -4 -o addr show eth0 | awk '{print $4}'"); !strings.HasPrefix(got, h.IP+"/") {
			t.Errorf("%s: eth0 %q", h.Name, got)
		}
	}
	// A wrong host key must be refused: w1's key does not match m1's entry.
	m1, w1, w2 := st.Hosts[0], st.Hosts[1], st.Hosts[2]
	hk, _ := knownhosts.New(p.KnownHosts())
	if _, err := ssh.Dial("tcp", net.JoinHostPort(w1.IP, "22"), &ssh.ClientConfig{
		User: "root", Auth: []ssh.AuthMethod{}, Timeout: 5 * time.Second,
		HostKeyCallback: func(_ string, a net.Addr, k ssh.PublicKey) error {
			return hk(net.JoinHostPort(m1.IP, "22"), &net.TCPAddr{IP: net.ParseIP(m1.IP), Port: 22}, k)
		},
	}); err == nil || !strings.Contains(err.Error(), "key mismatch") {
		t.Errorf("want a host key mismatch, got %v", err)
	}

	// Hosts reach each other over the lab bridge.
	sshRun(t, clients[w1.Name], "timeout 5 bash -c 'exec 3<>/dev/tcp/"+w2.IP+"/22 && head -c 4 <&3'")

	// Swap on w1 only shows in w1.
	sshRun(t, clients[w1.Name], "fallocate -l 32M /swapfile && chmod 600 /swapfile && mkswap /swapfile >/dev/null && swapon /swapfile")
	if got := sshRun(t, clients[w1.Name], "tail -n +2 /proc/swaps"); !strings.HasPrefix(got, "/swapfile ") {
		t.Errorf("w1 /proc/swaps: %q", got)
	}
	if got := sshRun(t, clients[w1.Name], "awk '/^SwapTotal/ {print $2}' /proc/meminfo"); got != "32764" {
		t.Errorf("w1 SwapTotal %q", got)
	}
	for _, h := range []Host{m1, w2} {
		if got := sshRun(t, clients[h.Name], "tail -n +2 /proc/swaps"); got != "" {
			t.Errorf("%s sees swap: %q", h.Name, got)
		}
		if got := sshRun(t, clients[h.Name], "awk '/^SwapTotal/ {print $2}' /proc/meminfo"); got != "0" {
			t.Errorf("%s SwapTotal %q", h.Name, got)
		}
		// swapoff -a in another host must not touch w1's area.
		sshRun(t, clients[h.Name], "swapoff -a")
	}
	if got := sshRun(t, clients[w1.Name], "swapon --show=NAME --noheadings"); got != "/swapfile" {
		t.Errorf("w1 swap after others' swapoff -a: %q", got)
	}

	// lab exec reaches the host without SSH.
	cmd, err := HostCommand(o, "w1", "hostname")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != w1.Name {
		t.Errorf("exec hostname: %q %v", out, err)
	}

	// Down with w1's swap still on (down swaps off inside the host), twice.
	if err := Down(o); err != nil {
		t.Fatalf("down: %v", err)
	}
	if err := Down(o); err != nil {
		t.Fatalf("second down: %v", err)
	}
}

// TestLabCrashRecovery kills a lab's processes with SIGKILL while a host has
// swap on a loop-image root, then checks that down cleans everything.
func TestLabCrashRecovery(t *testing.T) {
	requireRoot(t)
	o := testOptions(t, 2)
	o.SmallDisk = map[string]string{"w1": "48M"}
	st := upForTest(t, o)
	p := NewPaths(o.StateRoot, o.Name)
	w1 := st.Hosts[1]
	c := dialHost(t, p, w1)
	if out, err := sshOutput(c, "fallocate -l 100M /big"); err == nil {
		t.Errorf("48M disk accepted a 100M file: %s", out)
	}
	sshRun(t, c, "rm -f /big; fallocate -l 16M /swapfile && chmod 600 /swapfile && mkswap /swapfile >/dev/null && swapon /swapfile")
	m1c := dialHost(t, p, st.Hosts[0])
	sshRun(t, m1c, "fallocate -l 16M /swapfile && chmod 600 /swapfile && mkswap /swapfile >/dev/null && swapon /swapfile")
	c.Close()
	m1c.Close()

	// Crash: supervisors and hosts die without any cleanup.
	for _, prs := range supervisorPIDs(p.Dir) {
		for _, pr := range prs {
			_ = unix.Kill(pr.PID, unix.SIGKILL)
		}
	}
	for _, h := range st.Hosts {
		if pid := readPID(p.Host(h.Name).InitPID()); pid > 0 {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
	waitFor(10*time.Second, func() bool { return len(labCgroupProcs(st.CgroupPrefix, o.Name)) == 0 })
	r, _ := Status(o)
	if r.Empty() || r.Healthy() {
		t.Fatalf("status after crash should show leftovers: %+v", r)
	}
	if len(r.SwapFiles) == 0 {
		t.Logf("status after crash: %+v", r)
	}
	// The cleanup registered by upForTest runs down and asserts.
}

// A host whose sshd cannot start is explained by what is inside it: systemd's
// state, the failed unit and sshd's own complaint from the journal, not only
// "connection refused".
func TestDiagnoseHostExplainsAFailedSSHD(t *testing.T) {
	requireRoot(t)
	o := testOptions(t, 1)
	st := upForTest(t, o)
	h := st.Hosts[0]
	p := NewPaths(o.StateRoot, o.Name)
	breakSSHD := "echo 'NoSuchOption yes' > /etc/ssh/sshd_config.d/zz-broken.conf; systemctl restart ssh.service; true"
	if out, err := hostOutput(o, h.Name, strings.NewReader(""), "/bin/sh", "-c", breakSSHD); err != nil {
		t.Fatalf("breaking sshd: %v\n%s", err, out)
	}
	// systemd restarts sshd a few times before it gives up (its start limit),
	// and reports itself degraded a moment after; lab up waits 90 s, so by
	// then both are settled.
	var got string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if got = diagnoseHost(o, p, h); strings.Contains(got, "ssh.service: failed") && strings.Contains(got, "systemd: degraded") {
			break
		}
	}
	t.Logf("diagnosis:\n%s", got)
	for _, want := range []string{"systemd: degraded", "failed units:", "ssh.service", "ssh.service: failed", "NoSuchOption", "supervisor log"} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnosis lacks %q", want)
		}
	}
}
