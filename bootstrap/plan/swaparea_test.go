package plan

import (
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

// Each area kind gets its own script with the host's settings, skipped once facts say it is set up; the
// removal step runs wherever swapboot recorded an area of any kind.
func TestSwapAreaSteps(t *testing.T) {
	c := testCluster()
	yes := true
	c.Masters[0].Swap = &cluster.HostSwap{Type: cluster.SwapTypeZram, SizeBytes: 2 << 30}
	c.Workers[0].Swap = &cluster.HostSwap{Device: "/dev/disk/by-id/virtio-spare", Encrypt: &yes}
	c.Workers[1].Swap = &cluster.HostSwap{Device: "/dev/vdc"}
	facts, _ := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: "v1.37.2", CgroupV2: true})
	p, err := BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		c.Masters[0].Address: {"swap-zram", "SWAP_MIB='2048'", "ExecStart=/usr/local/sbin/swapboot-zram start 2048"},
		c.Workers[0].Address: {"swap-encrypted", "KIND='device'", "SOURCE='/dev/disk/by-id/virtio-spare'",
			"CRYPTTAB_REST='/dev/disk/by-id/virtio-spare /dev/urandom swap,cipher=aes-xts-plain64,size=512'", "CRYPT_NAME='swapboot_swap'"},
		c.Workers[1].Address: {"swap-device", "SWAP_DEVICE='/dev/vdc'"},
	}
	for _, hp := range p.Hosts {
		s := findStep(t, hp, PhaseSwap)
		script := renderedScript(t, s)
		for _, w := range want[hp.Host.Address] {
			if !strings.Contains(script, w) {
				t.Errorf("%s: swap script lacks %q", hp.Host.ID(), w)
			}
		}
		if s.Skip != "" {
			t.Errorf("%s: skipped: %s", hp.Host.ID(), s.Skip)
		}
	}

	// Set up as configured: skipped, naming the area.
	f := facts[c.Workers[0].Address]
	f.SwapActiveKiB, f.FstabEntries = 2<<20, 1
	f.Area = hostfacts.AreaFacts{Name: "/dev/dm-0", Crypttab: "/dev/disk/by-id/virtio-spare /dev/urandom swap,cipher=aes-xts-plain64,size=512", CrypttabEntries: 1}
	facts[c.Workers[0].Address] = f
	p, err = BuildPlan(c, facts, PlanOptions{NewToken: fixedToken})
	if err != nil {
		t.Fatal(err)
	}
	if s := findStep(t, p.Hosts[1], PhaseSwap); !strings.Contains(s.Skip, "encrypted swap on /dev/disk/by-id/virtio-spare (/dev/dm-0) already active") {
		t.Errorf("encrypted area set up: skip %q", s.Skip)
	}

	// Reset removes what swapboot recorded, of any kind, and skips a host without records.
	f.SwapbootAreas = []string{hostfacts.MadeEncrypted}
	facts[c.Workers[0].Address] = f
	reset := BuildResetPlan(c, joined(c, facts), ResetOptions{})
	for _, hp := range reset.Hosts {
		s := stepNamed(t, hp, "swap-remove")
		made := hp.Host.Address == c.Workers[0].Address
		if made == (s.Skip != "") || made && !strings.Contains(s.Summary, "(encrypted)") {
			t.Errorf("%s: swap-remove skip %q summary %q", hp.Host.ID(), s.Skip, s.Summary)
		}
		if script := renderedScript(t, s); !strings.Contains(script, "CRYPT_NAME='swapboot_swap'") {
			t.Errorf("%s: swap-remove without the mapping's name", hp.Host.ID())
		}
	}
}
