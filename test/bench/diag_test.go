package bench

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swapboot/swapboot/lab"
	"github.com/swapboot/swapboot/templates"
)

// factsVariant is facts.sh with shell functions standing in for some commands, to measure their share.
type factsVariant struct {
	name    string
	prelude string
}

// factsCost runs facts.sh inside a host without SSH (nsenter), reps times per variant, interleaved, and
// reports the median wall time and the host's CPU time per run (the script, and PID 1 / dbus answering
// its systemctl calls).
func factsCost(b *testing.B, l *benchLab, h lab.Host, reps int, variants []factsVariant) string {
	b.Helper()
	script, err := templates.Render(templates.Facts{SwapPath: "/swapfile"})
	if err != nil {
		b.Fatal(err)
	}
	const anchor = "set -eu\n"
	if !strings.Contains(script, anchor) {
		b.Fatalf("facts.sh has no %q line", anchor)
	}
	wall := map[string][]time.Duration{}
	cpu := map[string][]time.Duration{}
	base := filepath.Join(l.cg2, lab.CgroupName(l.state.CgroupPrefix, h.Name), "cpu.stat")
	for i := 0; i < reps; i++ {
		for _, v := range variants {
			s := strings.Replace(script, anchor, anchor+v.prelude, 1)
			before := usageUsec(base)
			start := time.Now()
			code, err := lab.Exec(l.opts, h.Name, []string{"sh", "-c", "cat > /tmp/bench-facts.sh && sh /tmp/bench-facts.sh >/dev/null 2>&1"},
				strings.NewReader(s), nil, nil)
			if err != nil || code != 0 {
				b.Fatalf("facts.sh (%s) in %s: exit %d, %v", v.name, h.Name, code, err)
			}
			wall[v.name] = append(wall[v.name], time.Since(start))
			cpu[v.name] = append(cpu[v.name], time.Duration(usageUsec(base)-before)*time.Microsecond)
		}
	}
	var out []string
	for _, v := range variants {
		out = append(out, fmt.Sprintf("%s %s wall, %s host CPU", v.name, ms(medianDur(wall[v.name])), ms(medianDur(cpu[v.name]))))
	}
	return fmt.Sprintf("facts.sh in %s without SSH (median of %d; includes nsenter): %s", h.Name, reps, strings.Join(out, "; "))
}

var (
	noSystemctl = factsVariant{"without systemctl", "systemctl() { :; }\n"}
	noVersions  = factsVariant{"without kubeadm version/kubelet --version", "kubeadm() { :; }\nkubelet() { :; }\n"}
	fullFacts   = factsVariant{"facts.sh", ""}
)

// sshCost is the host CPU of one SSH login that runs `true` (sshd, PAM session, systemd), median of reps,
// through `lab ssh` right after a warm-up login (so root's user manager is already running).
func sshCost(b *testing.B, l *benchLab, labBin string, h lab.Host, reps int) string {
	b.Helper()
	base := filepath.Join(l.cg2, lab.CgroupName(l.state.CgroupPrefix, h.Name), "cpu.stat")
	var wall, cpu []time.Duration
	runCmd(b, time.Minute, nil, false, labBin, "ssh", "--name", labName, h.Name, "true")
	for i := 0; i < reps; i++ {
		before := usageUsec(base)
		r := runCmd(b, time.Minute, nil, true, labBin, "ssh", "--name", labName, h.Name, "true")
		if r.Exit != 0 {
			b.Fatalf("lab ssh %s true: exit %d\n%s", h.Name, r.Exit, r.Out)
		}
		wall = append(wall, r.Wall)
		cpu = append(cpu, time.Duration(usageUsec(base)-before)*time.Microsecond)
	}
	return fmt.Sprintf("one SSH login running `true` on %s (median of %d): %s wall, %s host CPU", h.Name, reps, ms(medianDur(wall)), ms(medianDur(cpu)))
}
