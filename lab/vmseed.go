package lab

import (
	"archive/tar"
	"bytes"
	"fmt"
	"sort"
)

// vmSeed is the tar archive a vm guest unpacks over its root at every boot
// (swapboot-lab-seed.service of the image, lab/vmimage/build.sh): what differs
// per guest. It is attached read-only as the guest's second disk (/dev/vdb).
func vmSeed(s HostSetup, bits int, gateway, hostKey, hostKeyPub string) ([]byte, error) {
	type file struct {
		mode    int64
		content string
	}
	files := map[string]file{
		"etc/hostname": {0o644, s.Host.Name + "\n"},
		"etc/hosts":    {0o644, etcHosts(s)},
		"etc/systemd/network/10-swapboot-lab.network": {0o644, vmNetworkd(s, bits, gateway)},
		"etc/ssh/ssh_host_ed25519_key":                {0o600, hostKey},
		"etc/ssh/ssh_host_ed25519_key.pub":            {0o644, hostKeyPub + "\n"},
		"root/.ssh/authorized_keys":                   {0o600, s.AuthorizedPK + "\n"},
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

// vmNetworkd is the guest's systemd-networkd configuration: its lab address.
// (The static pod network's routes come with lab network, applyVMPodNetwork.)
func vmNetworkd(s HostSetup, bits int, gateway string) string {
	return fmt.Sprintf("[Match]\nName=eth0\n\n[Network]\nAddress=%s/%d\nGateway=%s\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n", s.Host.IP, bits, gateway)
}
