package templates

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sampleKeepalived is the second of three masters (a BACKUP) of an IPv4 cluster.
func sampleKeepalived() Keepalived {
	return Keepalived{RouterID: "master-2", Instance: "swapboot_lab", State: "BACKUP", Interface: "eth0", VirtualRouterID: 51, Priority: 100,
		Address: "10.0.0.12", Peers: []string{"10.0.0.11", "10.0.0.13"}, VirtualIP: "10.0.0.10", VirtualIPBits: 32}
}

func sampleHAProxy() HAProxy {
	return HAProxy{Port: 8443, Bind: ":8443", APIServerPort: 6443, Servers: []HAProxyServer{
		{Name: "master-1", Endpoint: "10.0.0.11:6443"}, {Name: "master-2", Endpoint: "10.0.0.12:6443"}, {Name: "master-3", Endpoint: "10.0.0.13:6443"}}}
}

// TestLoadBalancerFilesGolden: the keepalived, check and haproxy files render their golden files; the
// check script passes shellcheck; keepalived gets unicast peers (no multicast needed on the network).
func TestLoadBalancerFilesGolden(t *testing.T) {
	for name, r := range map[string]interface{ Render() (string, error) }{
		"keepalived.conf":    sampleKeepalived(),
		"check_apiserver.sh": CheckAPIServer{HealthURL: "https://10.0.0.12:6443/healthz"},
		"haproxy.cfg":        sampleHAProxy(),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := r.Render()
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", "files", name+".golden"), got)
			if strings.HasSuffix(name, ".sh") {
				cmd := exec.Command("shellcheck", "--shell=sh", "--severity=style", "-")
				cmd.Stdin = strings.NewReader(got)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("shellcheck %s:\n%s", name, out)
				}
			}
		})
	}
	conf, _ := sampleKeepalived().Render()
	for _, want := range []string{"unicast_src_ip 10.0.0.12\n", "        10.0.0.11\n        10.0.0.13\n", "10.0.0.10/32 dev eth0", "interface eth0\n", "state BACKUP\n"} {
		if !strings.Contains(conf, want) {
			t.Errorf("keepalived.conf lacks %q", want)
		}
	}
	cfg, _ := sampleHAProxy().Render()
	if n := strings.Count(cfg, "    server "); n != 3 || !strings.Contains(cfg, "bind :8443\n") {
		t.Errorf("haproxy.cfg: %d servers, want 3 and bind :8443:\n%s", n, cfg)
	}
}

// TestLoadBalancerFilesAccepted: keepalived (-t) and haproxy (-c) accept the rendered files (Debian
// packages keepalived and haproxy, lab/prereq/debian-packages.txt).
func TestLoadBalancerFilesAccepted(t *testing.T) {
	for _, bin := range []string{"keepalived", "haproxy"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is required (Debian package %s, lab/prereq/debian-packages.txt; make prereqs installs it)", bin, bin)
		}
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	check, _ := CheckAPIServer{HealthURL: "https://10.0.0.12:6443/healthz"}.Render()
	if err := os.WriteFile(filepath.Join(dir, "check.sh"), []byte(check), 0o755); err != nil {
		t.Fatal(err)
	}
	ka := sampleKeepalived()
	ka.Interface = "" // keepalived -t checks that the interface exists and is not a loopback
	ifaces, _ := net.Interfaces()
	for _, i := range ifaces {
		if i.Flags&net.FlagLoopback == 0 && i.Flags&net.FlagUp != 0 {
			ka.Interface = i.Name
			break
		}
	}
	if ka.Interface == "" {
		t.Fatal("no network interface up besides loopback to check keepalived.conf against")
	}
	conf, _ := ka.Render()
	conf = strings.ReplaceAll(conf, "/etc/keepalived/check_apiserver.sh", filepath.Join(dir, "check.sh"))
	if err := os.WriteFile(filepath.Join(dir, "keepalived.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("keepalived", "-t", "-f", filepath.Join(dir, "keepalived.conf")).CombinedOutput(); err != nil {
		t.Errorf("keepalived -t: %v\n%s", err, out)
	}
	cfg, _ := sampleHAProxy().Render()
	if err := os.WriteFile(filepath.Join(dir, "haproxy.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("haproxy", "-c", "-f", filepath.Join(dir, "haproxy.cfg")).CombinedOutput(); err != nil {
		t.Errorf("haproxy -c: %v\n%s", err, out)
	}
}
