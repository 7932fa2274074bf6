package e2e

// Reliability and security on the real lab (issue 5): host keys, bastion, sudo, unreachable hosts, a disk
// too small for the swap file, partial failure and resume, Ctrl-C. Labs are named rel*, use 10.81-10.85,
// and hold at most 4 swap areas; the scenarios that need no Kubernetes use --no-kubernetes hosts (then
// `up` stops at the facts check, "kubeadm is not installed", which is itself asserted: nothing changed).

import (
	"os"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/lab"
)

// TestRelHostKeys: known_hosts checked by default, an unknown host refused with its fingerprint and the
// fix, trust on first use only when asked, a pinned hostKey: that overrides known_hosts, and a changed key
// (regenerated on the host between two runs) always refused, TOFU or not.
func TestRelHostKeys(t *testing.T) {
	e := startRelLab(t, "relkeys", "10.81.0.0/24", 2, func(o *lab.Options) { o.NoKubernetes = true })
	m, w := e.ip(0), e.ip(1)
	keys := e.hostKeys()

	t.Run("known_hosts is checked by default and a known host is accepted", func(t *testing.T) {
		file := e.cluster("c.yaml", e.sshValue(knownHostsFile(t, map[string]string{m: keys[m], w: keys[w]})), m, w)
		st, res := e.status(file, nil)
		for _, a := range []string{m, w} {
			if !st[a].reached() {
				t.Errorf("%s not reached with its key in known_hosts: %s\n%s", a, st[a].problems(), res.out)
			}
		}
	})

	empty := knownHostsFile(t, map[string]string{m: keys[m]}) // w is unknown
	emptyBefore, _ := os.ReadFile(empty)
	unknown := e.cluster("unknown.yaml", e.sshValue(empty), m, w)

	t.Run("an unknown host is refused with its fingerprint and the fix; nothing is recorded", func(t *testing.T) {
		res := e.run(nil, "up", "--dry-run", unknown)
		if res.code != 1 {
			t.Errorf("exit %d, want 1", res.code)
		}
		for _, want := range []string{w + ": unknown host key ssh-ed25519 " + fingerprint(t, keys[w]),
			"--trust-new-host-keys", "hostKey:", "ssh-keyscan -t ed25519 " + w, "nothing was changed"} {
			if !strings.Contains(res.out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if strings.Contains(res.out, m+": unknown host key") {
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
			for _, want := range []string{w + ": HOST KEY CHANGED", "offered ssh-ed25519 " + fingerprint(t, newKey),
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
		stale := e.cluster("stale-pin.yaml", e.sshValue(knownHostsFile(t, map[string]string{m: keys[m], w: newKey})),
			m, "{address: "+w+", ssh: {hostKey: "+keyOnly(old)+"}}")
		for _, flags := range [][]string{nil, {"--trust-new-host-keys"}} {
			res := e.run(nil, append(append([]string{"up", "--dry-run"}, flags...), stale)...)
			if res.code != 1 || !strings.Contains(res.out, w+": HOST KEY MISMATCH: the host offered ssh-ed25519 "+fingerprint(t, newKey)) ||
				!strings.Contains(res.out, "pinned hostKey is ssh-ed25519 "+fingerprint(t, old)) {
				t.Errorf("%v: wrong pinned key (known_hosts has the right one): exit %d, want 1 and HOST KEY MISMATCH", flags, res.code)
			}
		}
	})
}
