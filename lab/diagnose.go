package lab

import (
	"fmt"
	"os"
	"strings"
)

// diagnoseScript runs inside a host that did not come up. Each section says
// why sshd may not answer: systemd's state, the failed units, sshd's unit
// and journal, and whether the sshd binary exists at all (a machine without
// openssh-server gives hosts without sshd).
const diagnoseScript = `
echo "systemd: $(systemctl is-system-running 2>&1)"
echo "failed units:"; systemctl list-units --failed --plain --no-legend 2>&1 | sed 's/^/  /'
echo "ssh.service: $(systemctl is-active ssh.service 2>&1) ($(systemctl show -p SubState --value ssh.service 2>&1))"
[ -x /usr/sbin/sshd ] || echo "/usr/sbin/sshd is missing: install openssh-server on the machine (make prereqs)"
echo "journal of ssh.service (last 25 lines):"; journalctl -u ssh.service -n 25 --no-pager 2>&1 | sed 's/^/  /'
`

// diagnoseHost explains a host that did not become reachable. It never
// fails: what it cannot read, it says.
func diagnoseHost(o Options, p Paths, h Host) string {
	var b strings.Builder
	out, err := hostOutput(o, h.Name, strings.NewReader(""), "/bin/sh", "-c", diagnoseScript)
	if err != nil && out == "" {
		fmt.Fprintf(&b, "cannot look inside %s: %v\n", h.Name, err)
	}
	b.WriteString(out)
	logs := []struct{ name, path string }{
		{"supervisor log", p.Host(h.Name).SupervisorLog()},
		{"console", p.Host(h.Name).Console()},
	}
	if h.VM {
		logs[0] = struct{ name, path string }{"qemu log", p.Host(h.Name).QemuLog()}
	}
	for _, f := range logs {
		data, err := os.ReadFile(f.path)
		switch {
		case err != nil:
			fmt.Fprintf(&b, "%s: %v\n", f.name, err)
		case len(strings.TrimSpace(string(data))) == 0:
			fmt.Fprintf(&b, "%s (%s): empty\n", f.name, f.path)
		default:
			fmt.Fprintf(&b, "%s (%s), last lines:\n%s\n", f.name, f.path, indent(lastLines(string(data), 10)))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
