package lab

import (
	"fmt"
	"strings"
)

// SSHD is a host's sshd configuration beyond the lab's defaults.
type SSHD struct {
	// Ports sshd listens on; empty means 22 only.
	Ports []int
	// DenyRootLogin refuses root logins (PermitRootLogin no), e.g. for a host whose only login is a
	// non-root sudoer.
	DenyRootLogin bool
}

const sshdDropIn = "/etc/ssh/sshd_config.d/00-swapboot-lab.conf"

// ConfigureSSHD rewrites the host's sshd settings (the lab's drop-in with these changes), checks them
// with sshd -t and reloads sshd. Open connections stay; new ones get the new settings. Calling it with
// the zero SSHD restores the lab's defaults.
func ConfigureSSHD(o Options, host string, s SSHD) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	conf := sshdConfig
	if s.DenyRootLogin {
		conf = strings.Replace(conf, "PermitRootLogin prohibit-password", "PermitRootLogin no", 1)
	}
	for _, p := range s.Ports {
		if p < 1 || p > 65535 {
			return fmt.Errorf("sshd port %d out of range", p)
		}
		conf += fmt.Sprintf("Port %d\n", p)
	}
	script := `set -eu
cat > "$1.tmp"
mv "$1.tmp" "$1"
sshd -t
systemctl reload ssh
` + waitSSHDScript
	var ports []string
	for _, p := range s.Ports {
		ports = append(ports, fmt.Sprint(p))
	}
	if len(ports) == 0 {
		ports = []string{"22"}
	}
	_, err := hostOutput(o, host, strings.NewReader(conf), "sh", "-c", script, "sshd-config", sshdDropIn, strings.Join(ports, " "))
	return err
}

// waitSSHDScript waits (5 s at most) until sshd listens on every port of $2 again after a reload:
// on SIGHUP sshd re-executes itself and reopens its sockets.
const waitSSHDScript = `i=0
for port in $2; do
	until ss -Hltn "sport = :$port" | grep -q LISTEN; do
		i=$((i+1))
		[ "$i" -lt 100 ] || { echo "sshd does not listen on port $port" >&2; exit 1; }
		sleep 0.05
	done
done
`
