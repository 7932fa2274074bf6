package e2e

// Reliability and security on the real lab (issue 5): host keys, bastion, sudo, unreachable hosts, a disk
// too small for the swap file, partial failure and resume, Ctrl-C. Labs are named rel*, use 10.81-10.85,
// and hold at most 4 swap areas; the scenarios that need no Kubernetes use --no-kubernetes hosts (then
// `up` stops at the facts check, "kubeadm is not installed", which is itself asserted: nothing changed).

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/lab"
)

// TestRelHostKeys: known_hosts checked by default, an unknown host refused with its fingerprint and the
// fix, trust on first use only when asked, a pinned hostKey: that overrides known_hosts, and a changed key
// (regenerated on the host between two runs) always refused, TOFU or not.
func TestRelHostKeys(t *testing.T) {
	e := startLab(t, "relkeys", "10.81.0.0/24", 2, func(o *lab.Options) { o.NoKubernetes = true })
	m, w := e.ip(0), e.ip(1)
	keys := e.hostKeys()

	t.Run("known_hosts is checked by default and a known host is accepted", func(t *testing.T) {
		file := e.cluster("c.yaml", e.sshValue(e.knownHostsFile(map[string]string{m: keys[m], w: keys[w]})), m, w)
		st, res := e.status(file, nil)
		for _, a := range []string{m, w} {
			if !st[a].reached() {
				t.Errorf("%s not reached with its key in known_hosts: %s\n%s", a, st[a].problems(), res.out)
			}
		}
	})

	empty := e.knownHostsFile(map[string]string{m: keys[m]}) // w is unknown
	emptyBefore, _ := os.ReadFile(empty)
	unknown := e.cluster("unknown.yaml", e.sshValue(empty), m, w)

	t.Run("an unknown host is refused with its fingerprint and the fix; nothing is recorded", func(t *testing.T) {
		res := e.run(nil, "up", "--dry-run", unknown)
		if res.code != 1 {
			t.Errorf("exit %d, want 1", res.code)
		}
		for _, want := range []string{w + ": connect: unknown host key ssh-ed25519 " + fingerprint(t, keys[w]),
			"--trust-new-host-keys", "hostKey:", "ssh-keyscan -t ed25519 " + w, "nothing was changed"} {
			if !strings.Contains(res.out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if strings.Contains(res.out, m+": connect: unknown host key") {
			t.Errorf("the known master was refused too")
		}
		if after, _ := os.ReadFile(empty); string(after) != string(emptyBefore) {
			t.Errorf("known_hosts changed without --trust-new-host-keys:\n%s", after)
		}
	})

	t.Run("--trust-new-host-keys records the unknown key, and the next run trusts it without the flag", func(t *testing.T) {
		st, res := e.status(unknown, nil, "--trust-new-host-keys")
		if !st[w].reached() {
			t.Fatalf("TOFU did not reach %s: %s\n%s", w, st[w].problems(), res.out)
		}
		data, _ := os.ReadFile(empty)
		if !strings.Contains(string(data), w+" "+keyOnly(keys[w])) {
			t.Errorf("known_hosts does not record %s's key:\n%s", w, data)
		}
		if strings.Count(string(data), "\n") != 2 {
			t.Errorf("want exactly one entry added:\n%s", data)
		}
		st, res = e.status(unknown, nil)
		if !st[w].reached() {
			t.Errorf("recorded host refused without the flag: %s\n%s", st[w].problems(), res.out)
		}
	})

	// The worker is "reinstalled": a new host key; known_hosts (the TOFU one) still has the old one.
	old := keys[w]
	newKey, err := lab.RegenerateHostKey(e.opts, e.name(1))
	if err != nil {
		t.Fatal(err)
	}
	if keyOnly(newKey) == keyOnly(old) {
		t.Fatal("RegenerateHostKey kept the key")
	}
	if got, _ := lab.HostKey(e.opts, e.name(1)); keyOnly(got) != keyOnly(newKey) {
		t.Fatalf("host key after regeneration %q, want %q", got, newKey)
	}

	t.Run("a changed key is refused, with and without --trust-new-host-keys", func(t *testing.T) {
		before, _ := os.ReadFile(empty)
		for _, flags := range [][]string{nil, {"--trust-new-host-keys"}} {
			res := e.run(nil, append(append([]string{"up", "--dry-run"}, flags...), unknown)...)
			if res.code != 1 {
				t.Errorf("%v: exit %d, want 1", flags, res.code)
			}
			for _, want := range []string{w + ": connect: HOST KEY CHANGED", "offered ssh-ed25519 " + fingerprint(t, newKey),
				fingerprint(t, old), "ssh-keygen -R '" + w + "' -f " + empty, "nothing was changed"} {
				if !strings.Contains(res.out, want) {
					t.Errorf("%v: output lacks %q", flags, want)
				}
			}
			if strings.Contains(res.out, "trusted new host key") {
				t.Errorf("%v: a changed key was trusted", flags)
			}
		}
		if after, _ := os.ReadFile(empty); string(after) != string(before) {
			t.Errorf("known_hosts was changed:\n%s", after)
		}
	})

	t.Run("a pinned hostKey overrides known_hosts; a wrong pinned key is refused", func(t *testing.T) {
		pinned := e.cluster("pinned.yaml", e.sshValue(empty), m, "{address: "+w+", ssh: {hostKey: "+keyOnly(newKey)+"}}")
		st, res := e.status(pinned, nil)
		if !st[w].reached() {
			t.Errorf("pinned new key, stale known_hosts: %s not reached: %s\n%s", w, st[w].problems(), res.out)
		}
		stale := e.cluster("stale-pin.yaml", e.sshValue(e.knownHostsFile(map[string]string{m: keys[m], w: newKey})),
			m, "{address: "+w+", ssh: {hostKey: "+keyOnly(old)+"}}")
		for _, flags := range [][]string{nil, {"--trust-new-host-keys"}} {
			res := e.run(nil, append(append([]string{"up", "--dry-run"}, flags...), stale)...)
			if res.code != 1 || !strings.Contains(res.out, w+": connect: HOST KEY MISMATCH: the host offered ssh-ed25519 "+fingerprint(t, newKey)) ||
				!strings.Contains(res.out, "pinned hostKey is ssh-ed25519 "+fingerprint(t, old)) {
				t.Errorf("%v: wrong pinned key (known_hosts has the right one): exit %d, want 1 and HOST KEY MISMATCH", flags, res.code)
			}
		}
	})
}

// TestRelBastion: the cluster's hosts accept SSH only from a bastion host, which listens on its own port,
// refuses root, and lets in a user of its own with a key of its own; its host key is pinned. Without the
// bastion the hosts are unreachable; with ssh.bastion (cluster-wide, then per host) every host is reached
// through it; the bastion's own host key, user and key are checked.
func TestRelBastion(t *testing.T) {
	e := startLab(t, "relbast", "10.82.0.0/24", 3, func(o *lab.Options) { o.NoKubernetes = true })
	m, w, b := e.ip(0), e.ip(1), e.ip(2) // b is the bastion, not a cluster host
	jumpKey, jumpPub := newClientKey(t)
	if err := lab.AddUser(e.opts, e.name(2), lab.User{Name: "jump", AuthorizedKey: jumpPub}); err != nil {
		t.Fatal(err)
	}
	if err := lab.ConfigureSSHD(e.opts, e.name(2), lab.SSHD{Ports: []int{2222}, DenyRootLogin: true}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []int{0, 1} {
		if err := lab.Isolate(e.opts, e.name(h), []string{e.name(2)}); err != nil {
			t.Fatal(err)
		}
	}
	keys := e.hostKeys()
	knownHosts := e.dir + "/known_hosts" // the lab's: the cluster hosts on port 22, nothing for [b]:2222
	bastion := func(extra ...string) string {
		return "{" + strings.Join(append([]string{"address: " + b, "port: 2222", "user: jump", "keyFile: " + jumpKey}, extra...), ", ") + "}"
	}
	pinned := bastion("hostKey: " + keyOnly(keys[b]))

	t.Run("without the bastion the hosts are unreachable", func(t *testing.T) {
		st, res := e.status(e.cluster("direct.yaml", e.sshValue(knownHosts), m, w), nil, "--dial-timeout", "2s")
		for _, a := range []string{m, w} {
			if st[a].Reachable || !strings.Contains(st[a].problems(), "no answer on port 22 within 2s") {
				t.Errorf("%s reachable directly, or not a dial timeout: %s\n%s", a, st[a].problems(), res.out)
			}
		}
	})

	t.Run("cluster-wide ssh.bastion reaches every host through the bastion", func(t *testing.T) {
		st, res := e.status(e.cluster("bastion.yaml", e.sshValue(knownHosts, "bastion: "+pinned), m, w), nil)
		for _, a := range []string{m, w} {
			if !st[a].reached() {
				t.Errorf("%s not reached through the bastion: %s", a, st[a].problems())
			}
			if !strings.Contains(res.out, `addr=`+a+`:22 bastion=`+b+`:2222`) {
				t.Errorf("no debug line showing %s dialled through %s:2222", a, b)
			}
		}
		// up gets past connect and facts (to the facts check of these kubeadm-less hosts): nothing changed.
		res = e.run(nil, "up", e.cluster("bastion-up.yaml", e.sshValue(knownHosts, "bastion: "+pinned), m, w))
		if res.code != 1 || strings.Contains(res.out, "failed at connect") || strings.Count(res.out, "kubeadm is not installed") != 2 {
			t.Errorf("up through the bastion: exit %d, want 1 at the facts check of both hosts", res.code)
		}
		e.untouched(e.name(0), e.name(1))
	})

	t.Run("per-host ssh.bastion: the worker through the bastion, the master directly", func(t *testing.T) {
		if err := lab.Unisolate(e.opts, e.name(0)); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := lab.Isolate(e.opts, e.name(0), []string{e.name(2)}); err != nil {
				t.Fatal(err)
			}
		}()
		st, res := e.status(e.cluster("per-host.yaml", e.sshValue(knownHosts), m, "{address: "+w+", ssh: {bastion: "+pinned+"}}"), nil)
		if !st[m].reached() || !st[w].reached() {
			t.Errorf("master %s: %s; worker %s: %s", m, st[m].problems(), w, st[w].problems())
		}
		if !strings.Contains(res.out, `addr=`+m+`:22 bastion=""`) || !strings.Contains(res.out, `addr=`+w+`:22 bastion=`+b+`:2222`) {
			t.Errorf("want the master dialled directly and the worker through %s:2222", b)
		}
	})

	t.Run("the host key, user and key of the bastion are checked", func(t *testing.T) {
		tofuKnown := e.knownHostsFile(map[string]string{m: keys[m], w: keys[w]})
		cases := []struct {
			name, bastion string
			flags         []string
			want          []string
		}{
			{"wrong pinned host key", bastion("hostKey: " + keyOnly(keys[m])), nil,
				[]string{w + ": connect: via bastion: " + b + ":2222: HOST KEY MISMATCH: the host offered ssh-ed25519 " + fingerprint(t, keys[b])}},
			{"unknown host key", bastion(), nil,
				[]string{w + ": connect: via bastion: " + b + ":2222: unknown host key ssh-ed25519 " + fingerprint(t, keys[b]), "ssh-keyscan -t ed25519 -p 2222 " + b}},
			{"root refused on the bastion", "{address: " + b + ", port: 2222, hostKey: " + keyOnly(keys[b]) + "}", nil,
				[]string{w + ": connect: via bastion: " + b + `:2222: authentication failed for user "root"`}},
			{"the cluster's key is not the bastion user's", "{address: " + b + ", port: 2222, user: jump, hostKey: " + keyOnly(keys[b]) + "}", nil,
				[]string{w + ": connect: via bastion: " + b + `:2222: authentication failed for user "jump"`, e.labKey()}},
		}
		for _, c := range cases {
			file := e.cluster("neg.yaml", e.sshValue(tofuKnown, "bastion: "+c.bastion), m, w)
			res := e.run(nil, append(append([]string{"up", "--dry-run"}, c.flags...), file)...)
			if res.code != 1 || !strings.Contains(res.out, "failed at connect; nothing was changed") {
				t.Errorf("%s: exit %d, want 1 at connect", c.name, res.code)
			}
			for _, want := range c.want {
				if !strings.Contains(res.out, want) {
					t.Errorf("%s: output lacks %q", c.name, want)
				}
			}
		}
		// Trust on first use records the bastion under its port, and the next run needs no flag.
		file := e.cluster("tofu.yaml", e.sshValue(tofuKnown, "bastion: "+bastion()), m, w)
		if st, res := e.status(file, nil, "--trust-new-host-keys"); !st[w].reached() {
			t.Fatalf("TOFU through the bastion: %s\n%s", st[w].problems(), res.out)
		}
		data, _ := os.ReadFile(tofuKnown)
		if !strings.Contains(string(data), "["+b+"]:2222 "+keyOnly(keys[b])) {
			t.Errorf("known_hosts lacks [%s]:2222:\n%s", b, data)
		}
		if st, res := e.status(file, nil); !st[m].reached() || !st[w].reached() {
			t.Errorf("recorded bastion refused: %s\n%s", st[w].problems(), res.out)
		}
	})
}

// TestRelSudo: a host whose only SSH login is a non-root sudoer. Passwordless sudo works by default; a
// sudo that asks for a password fails with the fix, unless SWAPBOOT_SUDO_PASSWORD gives it; a wrong
// password is refused; the password is never printed.
func TestRelSudo(t *testing.T) {
	e := startLab(t, "relsudo", "10.83.0.0/24", 2, func(o *lab.Options) { o.NoKubernetes = true })
	m, w := e.ip(0), e.ip(1)
	const password = "Pw-8c1e07f2-secret"
	for _, u := range []lab.User{{Name: "ops", Sudo: lab.SudoNoPassword}, {Name: "deploy", Sudo: lab.SudoPassword, Password: password}} {
		if err := lab.AddUser(e.opts, e.name(1), u); err != nil {
			t.Fatal(err)
		}
	}
	if err := lab.ConfigureSSHD(e.opts, e.name(1), lab.SSHD{DenyRootLogin: true}); err != nil {
		t.Fatal(err)
	}
	known := e.dir + "/known_hosts"
	as := func(user string) string {
		return e.cluster(user+".yaml", e.sshValue(known), m, "{address: "+w+", ssh: {user: "+user+"}}")
	}
	pwEnv := []string{"SWAPBOOT_SUDO_PASSWORD=" + password}

	t.Run("root cannot log in to the host", func(t *testing.T) {
		st, res := e.status(as("root"), nil)
		if st[w].Reachable || !strings.Contains(st[w].problems(), `authentication failed for user "root"`) {
			t.Errorf("root login: %s\n%s", st[w].problems(), res.out)
		}
	})

	t.Run("passwordless sudo: facts are read as root", func(t *testing.T) {
		st, res := e.status(as("ops"), nil)
		if !st[w].reached() {
			t.Fatalf("%s as ops: %s\n%s", w, st[w].problems(), res.out)
		}
		res = e.run(nil, "up", as("ops"))
		if res.code != 1 || strings.Count(res.out, "kubeadm is not installed") != 2 {
			t.Errorf("up as ops: exit %d, want 1 at the facts check of both hosts", res.code)
		}
		if _, log := e.hostTry(e.name(1), "journalctl", "-q", "--no-pager", "-t", "sudo"); !strings.Contains(log, "ops : PWD=") || !strings.Contains(log, "USER=root ; COMMAND=/usr/bin/sh -c 'echo swapboot-ready") {
			t.Errorf("sudo's log on the host shows no root shell for ops:\n%s", log)
		}
		e.untouched(e.name(0), e.name(1))
	})

	t.Run("sudo asks for a password: refused with the fix when none is given", func(t *testing.T) {
		res := e.run(nil, "up", "--dry-run", as("deploy"))
		if res.code != 1 || !strings.Contains(res.out, "sudo: a password is required") ||
			!strings.Contains(res.out, "the user needs passwordless sudo, or give swapboot the sudo password") {
			t.Errorf("exit %d, want 1 with the sudo hint", res.code)
		}
		res = e.run(nil, "up", "--dry-run", "--ask-sudo-password", as("deploy"))
		if res.code != 1 || !strings.Contains(res.out, "no terminal to ask on; set the matching SWAPBOOT_* environment variable") {
			t.Errorf("--ask-sudo-password without a terminal: exit %d", res.code)
		}
	})

	t.Run("a wrong sudo password is refused", func(t *testing.T) {
		res := e.run([]string{"SWAPBOOT_SUDO_PASSWORD=wrong-" + password}, "up", "--dry-run", as("deploy"))
		if res.code != 1 || !strings.Contains(res.out, "sudo rejected the password of user deploy") {
			t.Errorf("exit %d, want 1 and 'sudo rejected the password'", res.code)
		}
		if strings.Contains(res.out, password) {
			t.Errorf("the sudo password appears in the output")
		}
	})

	t.Run("SWAPBOOT_SUDO_PASSWORD: the host is read through sudo; the password is never printed", func(t *testing.T) {
		st, res := e.status(as("deploy"), pwEnv)
		if !st[w].reached() {
			t.Errorf("%s as deploy with the password: %s", w, st[w].problems())
		}
		out := res.out
		res = e.run(pwEnv, "up", "--dry-run", as("deploy"))
		if res.code != 1 || strings.Count(res.out, "kubeadm is not installed") != 2 {
			t.Errorf("up --dry-run as deploy: exit %d, want 1 at the facts check", res.code)
		}
		if strings.Contains(out+res.out, password) {
			t.Errorf("the sudo password appears in swapboot's output")
		}
		e.untouched(e.name(0), e.name(1))
	})
}

// TestRelSmallDiskAndUnreachable: a host whose root file system cannot hold the swap file is named with
// the free space and the fix before anything changes anywhere; an unreachable host stops the run at
// connect, naming it, with nothing changed.
func TestRelSmallDiskAndUnreachable(t *testing.T) {
	e := startLab(t, "reldisk", "10.84.0.0/24", 3, func(o *lab.Options) {
		o.NoKubernetes = true
		o.SmallDisk = map[string]string{"w1": "64M"}
	})
	m, small, w2 := e.ip(0), e.ip(1), e.ip(2)
	all := []string{e.name(0), e.name(1), e.name(2)}
	fstab := map[string]string{}
	for _, n := range all {
		fstab[n] = e.host(n, "cat", "/etc/fstab")
	}

	t.Run("a disk too small for the swap file: clear error, nothing changed anywhere", func(t *testing.T) {
		for _, args := range [][]string{{"up", "--dry-run"}, {"up"}} {
			res := e.run(nil, append(args, e.clusterFile)...)
			if res.code != 1 || !strings.Contains(res.out, "problem(s) found before changing anything") {
				t.Errorf("%v: exit %d, want 1 at the facts check", args, res.code)
			}
			want := small + ": not enough space for a 256 MiB swap file at /swapfile: "
			if !strings.Contains(res.out, want) || !strings.Contains(res.out, "MiB free; free space, or lower swap.size") {
				t.Errorf("%v: output lacks %q ... MiB free; free space, or lower swap.size", args, want)
			}
			for _, other := range []string{m, w2} {
				if strings.Contains(res.out, other+": not enough space") {
					t.Errorf("%v: %s reported short of space", args, other)
				}
			}
		}
		st, res := e.status(e.clusterFile, nil)
		if !st[small].reached() || st[small].SwapAreas != 0 {
			t.Errorf("status of %s: %+v\n%s", small, st[small], res.out)
		}
		e.untouched(all...)
		for _, n := range all {
			if got := e.host(n, "cat", "/etc/fstab"); got != fstab[n] {
				t.Errorf("%s: /etc/fstab changed:\n%s", n, got)
			}
		}
	})

	t.Run("an unreachable host stops the run at connect; nothing changed", func(t *testing.T) {
		e.host(e.name(2), "systemctl", "stop", "ssh")
		defer e.host(e.name(2), "systemctl", "start", "ssh")
		res := e.run(nil, "up", e.clusterFile)
		if res.code != 1 || !strings.Contains(res.out, "1 host(s) failed at connect; nothing was changed") ||
			!strings.Contains(res.out, w2+": connect: ") || !strings.Contains(res.out, "connection refused") {
			t.Errorf("exit %d, want 1 naming %s at connect", res.code, w2)
		}
		if strings.Contains(res.out, "not enough space") {
			t.Errorf("facts were checked although a host was unreachable")
		}
		st, _ := e.status(e.clusterFile, nil)
		if st[w2].Reachable || !st[m].reached() {
			t.Errorf("status: %s reachable=%v, %s reached=%v", w2, st[w2].Reachable, m, st[m].reached())
		}
		e.untouched(all...)
	})
}

// TestRelPartialFailureAndResume runs swapboot on 4 Kubernetes hosts. w2's only login is a non-root user
// with passwordless sudo, w3's one whose sudo asks for a password (SWAPBOOT_SUDO_PASSWORD): their whole
// bootstrap goes through sudo.
//   - an unreachable host stops the run at connect: nothing changed on any host;
//   - mid-run, w2's link is cut inside its namespace (when kubeadm init starts on the master) and w1's
//     sshd is killed when its join starts: both are named FAILED, the master and w3 finish, exit 1;
//   - a second up, links restored, joins only what is missing;
//   - SIGINT while three joins hang (root, sudo -n, sudo with a password; their API traffic dropped) ends
//     swapboot with what was done and what was not, exit 130, and stops the remote kubeadm processes; the
//     next up completes.
func TestRelPartialFailureAndResume(t *testing.T) {
	defer timed(t, "TestRelPartialFailureAndResume total")()
	e := startLab(t, "relk8s", "10.85.0.0/24", 4, nil)
	m1, w1, w2, w3 := e.ip(0), e.ip(1), e.ip(2), e.ip(3)
	const password = "Pw-4e1d9a0c-sudo"
	users := map[int]lab.User{2: {Name: "ops", Sudo: lab.SudoNoPassword}, 3: {Name: "deploy", Sudo: lab.SudoPassword, Password: password}}
	for i, u := range users {
		if err := lab.AddUser(e.opts, e.name(i), u); err != nil {
			t.Fatal(err)
		}
		if err := lab.ConfigureSSHD(e.opts, e.name(i), lab.SSHD{DenyRootLogin: true}); err != nil {
			t.Fatal(err)
		}
	}
	e.clusterFile = e.cluster("cluster.yaml", e.sshValue(e.dir+"/known_hosts"), m1, w1,
		"{address: "+w2+", ssh: {user: ops}}", "{address: "+w3+", ssh: {user: deploy}}")
	pwEnv := []string{"SWAPBOOT_SUDO_PASSWORD=" + password}
	up := func() *running { return e.start(pwEnv, "up", "--kubeconfig-dir", e.dir, e.clusterFile) }
	all := e.hostNames()
	var outputs []string
	row := func(out, addr, result string) bool {
		return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(addr) + `\s.*\s` + result + `$`).MatchString(out)
	}

	t.Run("an unreachable host stops the run before any change", func(t *testing.T) {
		defer timed(t, "unreachable")()
		e.host(e.name(2), "systemctl", "stop", "ssh")
		res := up().wait(2 * time.Minute)
		e.host(e.name(2), "systemctl", "start", "ssh")
		outputs = append(outputs, res.out)
		if res.code != 1 || !strings.Contains(res.out, "1 host(s) failed at connect; nothing was changed") || !strings.Contains(res.out, w2+": connect: ") {
			t.Errorf("exit %d, want 1 naming %s at connect", res.code, w2)
		}
		e.untouched(all...)
	})

	t.Run("link cut and sshd killed mid-run: those workers fail, the others finish, exit 1", func(t *testing.T) {
		defer timed(t, "first up with failures")()
		r := up()
		r.waitFor(`^\[`+regexp.QuoteMeta(m1)+`\] init: `, 3*time.Minute)
		if err := lab.CutLink(e.opts, e.name(2)); err != nil {
			t.Fatal(err)
		}
		t.Logf("cut the link of %s at the start of kubeadm init", w2)
		r.waitFor(`^\[`+regexp.QuoteMeta(w1)+`\] join: `, 5*time.Minute)
		e.waitProcess(e.name(1), "kubeadm", 30*time.Second)
		// Every sshd of the host (listener and the session's), as a crash or an OOM kill would; pgrep runs
		// inside the host's PID namespace and sees only its processes.
		_, killed := e.hostTry(e.name(1), "sh", "-c", `pids=$(pgrep -x sshd); kill -KILL $pids; echo $pids`)
		t.Logf("killed sshd on %s while kubeadm join ran: pids %s", w1, strings.TrimSpace(killed))
		res := r.wait(5 * time.Minute)
		outputs = append(outputs, res.out)
		if res.code != 1 {
			t.Errorf("exit %d, want 1", res.code)
		}
		if s := res.report.step(m1, "init"); s != "changed" {
			t.Errorf("master init: %q", s)
		}
		if s := res.report.step(w3, "join"); s != "changed" {
			t.Errorf("%s (sudo with a password) join: %q, want changed", w3, s)
		}
		if s := res.report.step(w1, "join"); s != "FAILED" {
			t.Errorf("%s join with its sshd killed: %q, want FAILED", w1, s)
		}
		for _, a := range []string{w1, w2} {
			if !row(res.out, a, "FAILED") {
				t.Errorf("the summary table does not name %s FAILED", a)
			}
		}
		for _, a := range []string{m1, w3} {
			if !row(res.out, a, "ok") {
				t.Errorf("the summary table does not show %s ok", a)
			}
		}
		if out, err := e.waitNodeReady(e.name(3), 120*time.Second); err != nil {
			t.Errorf("%s not Ready: %v\n%s", e.name(3), err, out)
		}
	})

	t.Run("a second up joins only what is missing", func(t *testing.T) {
		defer timed(t, "resume")()
		if err := lab.RestoreLink(e.opts, e.name(2)); err != nil {
			t.Fatal(err)
		}
		e.host(e.name(1), "systemctl", "start", "ssh")
		for _, n := range []string{e.name(1), e.name(2)} {
			e.waitNoProcess(n, "kubeadm", 90*time.Second)
			_, files := e.hostTry(n, "sh", "-c", "ls /etc/kubernetes /var/lib/swapboot 2>&1; systemctl is-active kubelet")
			t.Logf("%s before the second up:\n%s", n, files)
		}
		res := up().wait(5 * time.Minute)
		outputs = append(outputs, res.out)
		if res.code != 0 {
			t.Fatalf("second up: exit %d, want 0", res.code)
		}
		for _, c := range res.report.changed() {
			// The master labels the nodes that joined now (w1 and w2 were not in the API before).
			if !strings.HasPrefix(c, w1+" ") && !strings.HasPrefix(c, w2+" ") && c != m1+" join-material" && c != m1+" labels" {
				t.Errorf("the second up changed %s, which was done", c)
			}
		}
		if out, err := e.waitNodesReady(4, 180*time.Second); err != nil {
			t.Fatalf("nodes not Ready: %v\n%s", err, out)
		}
		if out, _ := e.kubectlOut("get", "nodes", "--no-headers"); strings.Count(out, " Ready ") != 4 {
			t.Errorf("want 4 Ready nodes:\n%s", out)
		}
	})

	t.Run("SIGINT ends the run with what was done and not, exit 130, stops the remote commands; the next up completes", func(t *testing.T) {
		defer timed(t, "SIGINT and resume")()
		hung := []int{1, 2, 3} // root, sudo -n, sudo with a password
		block := []string{"OUTPUT", "-p", "tcp", "-d", m1, "--dport", "6443", "-j", "DROP"}
		for _, i := range hung {
			e.host(e.name(i), "kubeadm", "reset", "-f")
			if out, err := e.kubectlOut("delete", "node", e.name(i)); err != nil {
				t.Logf("delete node: %v %s", err, out)
			}
			e.host(e.name(i), append([]string{"iptables", "-I"}, block...)...)
		}
		r := up()
		for _, i := range hung {
			r.waitFor(`^\[`+regexp.QuoteMeta(e.ip(i))+`\] join: `, 3*time.Minute)
			e.waitProcess(e.name(i), "kubeadm", 30*time.Second)
		}
		time.Sleep(time.Second)
		sent := time.Now()
		if err := r.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		res := r.wait(time.Minute)
		t.Logf("swapboot ended %.1fs after SIGINT", time.Since(sent).Seconds())
		outputs = append(outputs, res.out)
		if res.code != 130 {
			t.Errorf("exit %d after SIGINT, want 130", res.code)
		}
		if !strings.Contains(res.out, "interrupted: the table above shows what was done and what was not") {
			t.Errorf("no interrupted message")
		}
		if res.report == nil || !res.report.Interrupted {
			t.Errorf("report does not say interrupted")
		}
		for _, i := range hung {
			if s := res.report.step(e.ip(i), "join"); s == "changed" || s == "" {
				t.Errorf("%s join after SIGINT: %q", e.ip(i), s)
			}
			if !row(res.out, e.ip(i), "(FAILED|interrupted)") {
				t.Errorf("the summary table does not show %s as not done", e.ip(i))
			}
		}
		if s := res.report.step(m1, "init"); s != "already done" {
			t.Errorf("master init: %q, want already done", s)
		}

		// Nothing may outlive the interrupt: not kubeadm (root, sudo -n and sudo -S alike: the root
		// process group is killed from a second session), not the file holding the bootstrap token.
		for _, i := range hung {
			if !e.noProcessWithin(e.name(i), "kubeadm", 10*time.Second) {
				_, ps := e.hostTry(e.name(i), "ps", "-eo", "pid,ppid,pgid,user,args")
				t.Errorf("%s (ssh user %s): kubeadm join still runs 10s after swapboot was interrupted:\n%s", e.name(i), userOf(users, i), ps)
				e.waitNoProcess(e.name(i), "kubeadm", 0) // it would finish the join once unblocked
			}
			if code, _ := e.hostTry(e.name(i), "test", "-e", "/var/lib/swapboot/kubeadm-join.yaml"); code == 0 {
				t.Errorf("%s: /var/lib/swapboot/kubeadm-join.yaml (bootstrap token) is left after the interrupt", e.name(i))
			}
		}

		for _, i := range hung {
			e.host(e.name(i), append([]string{"iptables", "-D"}, block...)...)
		}
		res = up().wait(5 * time.Minute)
		outputs = append(outputs, res.out)
		if res.code != 0 {
			t.Fatalf("up after the interrupt: exit %d", res.code)
		}
		for _, i := range hung {
			if s := res.report.step(e.ip(i), "join"); s != "changed" {
				t.Errorf("%s join in the up after the interrupt: %q, want changed", e.ip(i), s)
			}
			if code, _ := e.hostTry(e.name(i), "test", "-e", "/var/lib/swapboot/kubeadm-join.yaml"); code == 0 {
				t.Errorf("%s: the join configuration is left after a successful join", e.name(i))
			}
		}
		if out, err := e.waitNodesReady(4, 180*time.Second); err != nil {
			t.Fatalf("nodes not Ready: %v\n%s", err, out)
		}
	})

	for _, out := range outputs {
		if strings.Contains(out, password) {
			t.Errorf("the sudo password appears in swapboot's output")
			break
		}
	}
}

func userOf(users map[int]lab.User, i int) string {
	if u, ok := users[i]; ok {
		return u.Name
	}
	return "root"
}
