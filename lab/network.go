package lab

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// Interface and namespace names. Host names are <lab>-m1, <lab>-w1, ...; the
// host's network namespace has the host's name, the root side of its veth too
// (at most 15 characters, guaranteed by the name rule), the bridge is <lab>-br.
func bridgeName(lab string) string { return lab + "-br" }
func vethName(host string) string  { return host }
func netnsPath(host string) string { return filepath.Join("/run/netns", host) }

func linkExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

func netnsExists(host string) bool {
	_, err := os.Stat(netnsPath(host))
	return err == nil
}

// setupBridge creates the lab bridge with the gateway address.
func setupBridge(lab, gw string, bits int) error {
	br := bridgeName(lab)
	if !linkExists(br) {
		if _, err := run("ip", "link", "add", br, "type", "bridge"); err != nil {
			return err
		}
	}
	if _, err := run("ip", "addr", "replace", fmt.Sprintf("%s/%d", gw, bits), "dev", br); err != nil {
		return err
	}
	_, err := run("ip", "link", "set", br, "up")
	return err
}

// setupHostNetwork creates the host's network namespace, its veth (eth0
// inside) on the bridge, the address and the default route.
func setupHostNetwork(lab string, h Host, gw string, bits int) error {
	ns := h.Name
	if !netnsExists(ns) {
		if _, err := run("ip", "netns", "add", ns); err != nil {
			return err
		}
	}
	if !linkExists(vethName(h.Name)) {
		if _, err := run("ip", "link", "add", vethName(h.Name), "type", "veth", "peer", "name", "eth0", "netns", ns); err != nil {
			return err
		}
	}
	cmds := [][]string{
		{"link", "set", vethName(h.Name), "master", bridgeName(lab), "up"},
		{"-n", ns, "link", "set", "lo", "up"},
		{"-n", ns, "addr", "replace", fmt.Sprintf("%s/%d", h.IP, bits), "dev", "eth0"},
		{"-n", ns, "link", "set", "eth0", "up"},
		{"-n", ns, "route", "replace", "default", "via", gw},
	}
	for _, c := range cmds {
		if _, err := run("ip", c...); err != nil {
			return err
		}
	}
	return nil
}

// teardownHostNetwork kills the sockets left in the namespace (orphaned TCP
// sockets keep a netns alive), deletes the veth, then the namespace.
func teardownHostNetwork(host string) []error {
	var errs []error
	if netnsExists(host) {
		// Best effort: needs the kernel's sock_diag destroy support.
		_, _ = run("ip", "netns", "exec", host, "ss", "-K", "-a", "-t")
	}
	if linkExists(vethName(host)) {
		if _, err := run("ip", "link", "del", vethName(host)); err != nil {
			errs = append(errs, err)
		}
	}
	if netnsExists(host) {
		if _, err := run("ip", "netns", "del", host); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// labNetnsNames lists named network namespaces of lab.
func labNetnsNames(lab string) []string {
	ents, _ := os.ReadDir("/run/netns")
	var out []string
	for _, e := range ents {
		if isLabHostName(lab, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// labLinks lists root-namespace interfaces that belong to lab.
func labLinks(lab string) []string {
	ifs, _ := net.Interfaces()
	var out []string
	for _, i := range ifs {
		if i.Name == bridgeName(lab) || isLabHostName(lab, i.Name) {
			out = append(out, i.Name)
		}
	}
	return out
}

func isLabHostName(lab, s string) bool {
	rest, ok := strings.CutPrefix(s, lab+"-")
	if ok && rest == "lb" {
		return true // the load-balancer host (roles.go)
	}
	if !ok || len(rest) < 2 || (rest[0] != 'm' && rest[0] != 'w') {
		return false
	}
	for _, c := range rest[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// subnetInUse reports a root-namespace route overlapping subnet that is not
// the lab's own bridge.
func subnetInUse(lab, subnet string) error {
	_, want, err := net.ParseCIDR(subnet)
	if err != nil {
		return err
	}
	ifs, _ := net.Interfaces()
	for _, i := range ifs {
		if i.Name == bridgeName(lab) {
			continue
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && (want.Contains(n.IP) || n.Contains(want.IP)) && n.IP.To4() != nil && !n.IP.IsLoopback() {
				return fmt.Errorf("subnet %s overlaps %s on %s (pick another --subnet)", subnet, n, i.Name)
			}
		}
	}
	return nil
}
