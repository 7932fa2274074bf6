package lab

import (
	"archive/tar"
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// vmSeed is the tar archive a vm guest unpacks over its root at every boot
// (swapboot-lab-seed.service of the image, lab/vmimage/build.sh): what differs
// per guest. It is attached read-only as the guest's second disk (/dev/vdb).
func vmSeed(s HostSetup, bits int, gateway, hostKey, hostKeyPub string, kubernetes bool) ([]byte, error) {
	type file struct {
		mode    int64
		content string
	}
	files := map[string]file{
		"etc/hostname": {0o644, s.Host.Name + "\n"},
		"etc/hosts":    {0o644, etcHosts(s)},
		"etc/systemd/network/10-swapboot-lab.network": {0o644, vmNetworkd(s, bits, gateway, kubernetes)},
		"etc/ssh/ssh_host_ed25519_key":                {0o600, hostKey},
		"etc/ssh/ssh_host_ed25519_key.pub":            {0o644, hostKeyPub + "\n"},
		"root/.ssh/authorized_keys":                   {0o600, s.AuthorizedPK + "\n"},
	}
	if kubernetes {
		// The lab's pod network, as applyPodNetwork sets it up on namespace hosts.
		files["etc/cni/net.d/10-swapboot-lab.conflist"] = file{0o644, CNIConfig(HostPodCIDR(s.Host))}
		files["etc/swapboot-lab/setup.sh"] = file{0o755, fmt.Sprintf("#!/bin/sh\n# Forwarded traffic to services kube-proxy has not translated yet is refused (podnetwork.go).\niptables -C FORWARD -d %s -j REJECT 2>/dev/null || iptables -A FORWARD -d %s -j REJECT\n", ServiceSubnet, ServiceSubnet)}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		f := files[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: f.mode, Size: int64(len(f.content)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(f.content)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	// A whole number of sectors, for the block device.
	if pad := buf.Len() % 4096; pad != 0 {
		buf.Write(make([]byte, 4096-pad))
	}
	return buf.Bytes(), nil
}

// vmNetworkd is the guest's systemd-networkd configuration: its lab address
// and, with Kubernetes, routes to the other hosts' pod ranges.
func vmNetworkd(s HostSetup, bits int, gateway string, kubernetes bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[Match]\nName=eth0\n\n[Network]\nAddress=%s/%d\nGateway=%s\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n", s.Host.IP, bits, gateway)
	if kubernetes {
		for _, o := range s.AllHosts {
			if o.Name != s.Host.Name {
				fmt.Fprintf(&b, "\n[Route]\nDestination=%s\nGateway=%s\n", HostPodCIDR(o), o.IP)
			}
		}
	}
	return b.String()
}
