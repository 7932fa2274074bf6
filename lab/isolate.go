package lab

import (
	"fmt"
	"os/exec"
	"strings"
)

// isolateChain holds a host's SSH filter in its own network namespace.
const isolateChain = "SWAPBOOT-LAB-SSH"

// Isolate makes a host's sshd reachable only from the given lab hosts (names or IPs), e.g. a bastion:
// in the host's network namespace, TCP connections to its SSH ports (22 and ports) from anywhere else,
// the machine (swapboot's controller) included, are dropped as a firewall would. Other traffic (API
// server, kubelet, pod network) is untouched. Unisolate undoes it; lab down removes it with the
// namespace.
func Isolate(o Options, host string, allowFrom []string, ports ...int) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	st, err := NewPaths(o.StateRoot, o.Name).LoadState()
	if err != nil {
		return err
	}
	h, err := st.Host(host)
	if err != nil {
		return err
	}
	var allow []string
	for _, a := range allowFrom {
		ah, err := st.Host(a)
		if err != nil {
			return err
		}
		allow = append(allow, ah.IP)
	}
	if err := Unisolate(o, h.Name); err != nil {
		return err
	}
	cmds := [][]string{{"-N", isolateChain}, {"-A", isolateChain, "-i", "lo", "-j", "RETURN"}}
	for _, ip := range allow {
		cmds = append(cmds, []string{"-A", isolateChain, "-s", ip, "-j", "RETURN"})
	}
	cmds = append(cmds, []string{"-A", isolateChain, "-j", "DROP"})
	for _, p := range append([]int{22}, ports...) {
		cmds = append(cmds, []string{"-I", "INPUT", "-p", "tcp", "--dport", fmt.Sprint(p), "-j", isolateChain})
	}
	for _, c := range cmds {
		if _, err := run("nsenter", append([]string{"--net=" + netnsPath(h.Name), "iptables"}, c...)...); err != nil {
			return err
		}
	}
	return nil
}

// Unisolate removes Isolate's filter; it does nothing on a host without one.
func Unisolate(o Options, host string) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	h, err := loadHost(o, host)
	if err != nil {
		return err
	}
	ns := "--net=" + netnsPath(h.Name)
	if exec.Command("nsenter", ns, "iptables", "-n", "-L", isolateChain).Run() != nil {
		return nil // no chain
	}
	rules, err := run("nsenter", ns, "iptables", "-S", "INPUT")
	if err != nil {
		return err
	}
	for _, r := range strings.Split(rules, "\n") {
		if strings.HasPrefix(r, "-A INPUT ") && strings.HasSuffix(r, "-j "+isolateChain) {
			args := append([]string{ns, "iptables", "-D"}, strings.Fields(strings.TrimPrefix(r, "-A "))...)
			if _, err := run("nsenter", args...); err != nil {
				return err
			}
		}
	}
	if _, err := run("nsenter", ns, "iptables", "-F", isolateChain); err != nil {
		return err
	}
	_, err = run("nsenter", ns, "iptables", "-X", isolateChain)
	return err
}

// CutLink takes the host's eth0 down inside its network namespace, as a pulled cable would: its
// connections hang (no reset is sent) and nothing reaches it. RestoreLink brings it back.
func CutLink(o Options, host string) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	h, err := loadHost(o, host)
	if err != nil {
		return err
	}
	_, err = run("ip", "-n", h.Name, "link", "set", "eth0", "down")
	return err
}

// RestoreLink brings a cut link up again with the routes the kernel dropped with it: the default
// route and, on Kubernetes labs, the routes to the other hosts' pod ranges.
func RestoreLink(o Options, host string) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	st, err := NewPaths(o.StateRoot, o.Name).LoadState()
	if err != nil {
		return err
	}
	h, err := st.Host(host)
	if err != nil {
		return err
	}
	if err := setupHostNetwork(o.Name, h, st.Gateway, st.PrefixBits); err != nil {
		return err
	}
	if !st.Kubernetes {
		return nil
	}
	for _, other := range st.Hosts {
		if other.Name != h.Name {
			if _, err := run("ip", "-n", h.Name, "route", "replace", HostPodCIDR(other), "via", other.IP); err != nil {
				return err
			}
		}
	}
	return nil
}
