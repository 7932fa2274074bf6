package cluster

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// cfgValueCase: value in, "" for accepted or a substring of the problem.
type cfgValueCase struct{ in, problem string }

func cfgRunValueCases(t *testing.T, name string, check func(string) (string, string), cases []cfgValueCase) {
	t.Helper()
	for _, tc := range cases {
		prob, fix := check(tc.in)
		switch {
		case tc.problem == "" && prob != "":
			t.Errorf("%s(%q): unexpected problem %q (%s)", name, tc.in, prob, fix)
		case tc.problem != "" && !strings.Contains(prob, tc.problem):
			t.Errorf("%s(%q): problem %q, want it to contain %q", name, tc.in, prob, tc.problem)
		case prob != "" && fix == "":
			t.Errorf("%s(%q): problem %q has no fix", name, tc.in, prob)
		}
	}
}

// Shell metacharacters no strict-grammar value may carry.
var cfgShellBits = []string{"$(reboot)", "`reboot`", ";reboot", "|reboot", "&reboot", ">x", "<x", " x", "'x", "\"x", "\\x", "*", "?", "~x", "#x", "\nreboot"}

func TestValidateClusterName(t *testing.T) {
	cases := []cfgValueCase{{"lab", ""}, {"a", ""}, {"0", ""}, {"my-lab-2", ""}, {strings.Repeat("a", 63), ""},
		{"", "empty"}, {strings.Repeat("a", 64), "64 characters"}, {"Lab", "not a valid"}, {"-lab", "not a valid"}, {"lab-", "not a valid"},
		{"lab.x", "not a valid"}, {"lab_x", "not a valid"}}
	for _, b := range cfgShellBits {
		cases = append(cases, cfgValueCase{"lab" + b, "not a valid"})
	}
	cfgRunValueCases(t, "name", cfgCheckClusterName, cases)
	if _, fix := cfgCheckClusterName("My_Lab"); !strings.Contains(fix, "did you mean my-lab?") {
		t.Errorf("fix %q", fix)
	}
}

func TestValidateUser(t *testing.T) {
	cases := []cfgValueCase{{"root", ""}, {"ubuntu", ""}, {"_svc", ""}, {"first.last", ""}, {"a-b_c", ""}, {"Admin", ""},
		{"", "empty"}, {"1user", "not a valid"}, {"-oProxyCommand", "not a valid"}, {".x", "not a valid"}, {strings.Repeat("u", 33), "not a valid"}}
	for _, b := range cfgShellBits {
		cases = append(cases, cfgValueCase{"root" + b, "not a valid"})
	}
	cfgRunValueCases(t, "user", cfgCheckUser, cases)
}

func TestValidateNodeName(t *testing.T) {
	cases := []cfgValueCase{{"worker1", ""}, {"w1.lab.example", ""}, {"1", ""},
		{"", "empty"}, {"Worker1", "not a valid"}, {"w_1", "not a valid"}, {"-w", "not a valid"}, {strings.Repeat("a", 254), "not a valid"}}
	for _, b := range cfgShellBits {
		cases = append(cases, cfgValueCase{"w" + b, "not a valid"})
	}
	cfgRunValueCases(t, "node name", cfgCheckNodeName, cases)
}

func TestValidateAddress(t *testing.T) {
	check := func(s string) (string, string) {
		_, p, f := cfgCheckAddress(s)
		return p, f
	}
	cases := []cfgValueCase{{"192.168.122.50", ""}, {"10.0.0.1", ""}, {"2001:db8::1", ""}, {"fd00::5", ""}, {"127.0.0.1", ""},
		{"", "empty"}, {"node1", "not an IP address"}, {"node1.example.com", "not an IP address"}, {"192.168.122.256", "not an IP address"},
		{"192.168.001.1", "not an IP address"}, {"192.168.122.50:22", "contains a port"}, {"[2001:db8::1]", "brackets"},
		{"fe80::1%eth0", "zone"}, {"::ffff:10.0.0.1", "IPv4-mapped"}, {"0.0.0.0", "cannot be a host"}, {"::", "cannot be a host"},
		{"224.0.0.1", "cannot be a host"}, {"255.255.255.255", "cannot be a host"}, {"10.0.0.0/24", "a range"}}
	for _, b := range cfgShellBits {
		cases = append(cases, cfgValueCase{"10.0.0.1" + b, "not an IP address"})
	}
	cfgRunValueCases(t, "address", check, cases)
}

func TestValidateSubnet(t *testing.T) {
	pod := func(s string) (string, string) { _, p, f := cfgCheckSubnet(s, false); return p, f }
	svc := func(s string) (string, string) { _, p, f := cfgCheckSubnet(s, true); return p, f }
	cfgRunValueCases(t, "podSubnet", pod, []cfgValueCase{
		{"10.244.0.0/16", ""}, {"10.0.0.0/8", ""}, {"192.168.0.0/24", ""}, {"fd00:10:244::/56", ""}, {"fd00::/48", ""}, {"fd00::/64", ""},
		{"", "empty"}, {"10.244.0.0", "no prefix length"}, {"10.244.0.0/33", "not a valid CIDR"}, {"10.244.0.1/16", "bits set"},
		{"10.244.0.0/25", "too small"}, {"10.0.0.0/7", "too large"}, {"fd00::/47", "too large"}, {"fd00::/65", "too small"},
		{"10.244.0.0/16,fd00::/56", "several ranges"}, {"10.244.0.0/16 ", "not a valid CIDR"}, {"net", "no prefix length"},
		{"::ffff:10.0.0.0/104", "IPv4-mapped"}, {"10.244.0.0/16$(x)", "not a valid CIDR"},
	})
	cfgRunValueCases(t, "serviceSubnet", svc, []cfgValueCase{
		{"10.96.0.0/12", ""}, {"10.96.0.0/24", ""}, {"10.96.0.0/28", ""}, {"fd00:10:96::/108", ""}, {"fd00::/112", ""},
		{"10.0.0.0/11", "too large"}, {"fd00::/107", "too large"}, {"10.96.0.0/29", "too small"}, {"fd00::/125", "too small"},
	})
	_, _, fix := cfgCheckSubnet("10.244.7.1/16", false)
	if fix != "did you mean 10.244.0.0/16?" {
		t.Errorf("fix %q", fix)
	}
}

func TestValidateSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"64M", 64 << 20}, {"512M", 512 << 20}, {"1G", 1 << 30}, {"1Gi", 1 << 30}, {"2GiB", 2 << 30}, {"1GB", 1 << 30}, {"1.5G", 1536 << 20},
		{"0.25G", 256 << 20}, {"65536K", 64 << 20}, {"65536KiB", 64 << 20}, {"1T", 1 << 40}, {"1024G", 1 << 40}, {"100.5M", 101 << 20},
		{"100.49M", 100 << 20}, {"0.0625G", 64 << 20}, {"1.9999999999G", 2 << 30},
	} {
		got, prob, _ := cfgCheckSize(tc.in)
		if prob != "" || got != tc.want {
			t.Errorf("size %q = %d (%s), want %d", tc.in, got, prob, tc.want)
		}
		if got%(1<<20) != 0 {
			t.Errorf("size %q = %d is not whole MiB", tc.in, got)
		}
	}
	cfgRunValueCases(t, "size", func(s string) (string, string) { _, p, f := cfgCheckSize(s); return p, f }, []cfgValueCase{
		{"", "empty"}, {"0", "no unit"}, {"0G", "too small"}, {"63M", "too small"}, {"63.4M", "too small"}, {"1025G", "too large"}, {"2T", "too large"},
		{"1.1T", "too large"}, {"-1G", "negative"}, {"1X", "unknown unit"}, {"1P", "unknown unit"}, {"lots", "not a size"}, {"1 G", "space"},
		{"1g", "lowercase"}, {"1gib", "lowercase"}, {"1024", "no unit"}, {"1.5", "no unit"}, {"1e3G", "not a size"}, {".5G", "not a size"},
		{"1.G", "not a size"}, {"1Gb", "lowercase"}, {"1iG", "unknown unit"}, {"1G;reboot", "not a size"}, {"$(reboot)", "not a size"},
		{strings.Repeat("9", 40) + "G", "not a size"}, {"99999999999999999999G", "too large"},
	})
	if _, _, fix := cfgCheckSize("2gib"); !strings.Contains(fix, "did you mean 2GiB?") {
		t.Errorf("fix %q", fix)
	}
}

func TestValidateSwapPath(t *testing.T) {
	cases := []cfgValueCase{{"/swapfile", ""}, {"/var/swapfile", ""}, {"/data/swap-1.img", ""}, {"/srv/swap_2", ""}, {"/var/lib/swap", ""},
		{"", "empty"}, {"swapfile", "not an absolute path"}, {"./swap", "not an absolute path"}, {"/", "directory"}, {"//", "root directory"},
		{"/var/../swapfile", "not a clean path"}, {"/swap/", "not a clean path"}, {"/a//b", "not a clean path"}, {"/a/./b", "not a clean path"},
		{"/proc/swap", "under /proc"}, {"/sys/x", "under /sys"}, {"/dev/sda1", "under /dev"}, {"/dev/shm/swap", "under /dev"}, {"/run/swap", "under /run"},
		{"/tmp/swap", "under /tmp"}, {"/var/run/swap", "under /var/run"}, {"/boot/swap", "under /boot"}, {"/tmp", "under /tmp"},
		{"/etc/kubernetes/swap", "kubeadm reset"}, {"/var/lib/kubelet/swap", "kubeadm reset"}, {"/var/lib/etcd/swap", "kubeadm reset"},
		{"/var", "system directory"}, {"/etc", "system directory"}, {"/home", "system directory"}, {"/runx/swap", ""}, {"/tmpfile", ""},
		{"/swap file", "characters other than"}, {"/" + strings.Repeat("a", 1100), "too long"}}
	for _, b := range cfgShellBits {
		if b != "\nreboot" {
			cases = append(cases, cfgValueCase{"/swap" + b, "characters other than"})
		}
	}
	cfgRunValueCases(t, "swap.path", cfgCheckSwapPath, cases)
}

func TestValidateBehavior(t *testing.T) {
	cfgRunValueCases(t, "behavior", cfgCheckBehavior, []cfgValueCase{
		{"auto", ""}, {"NoSwap", ""}, {"LimitedSwap", ""},
		{"UnlimitedSwap", "removed in Kubernetes 1.30"}, {"unlimitedswap", "removed in Kubernetes 1.30"},
		{"limitedswap", "unknown behavior"}, {"Auto", "unknown behavior"}, {"noswap", "unknown behavior"}, {"LimitSwap", "unknown behavior"},
		{"", "unknown behavior"}, {"sometimes", "unknown behavior"},
	})
	for in, want := range map[string]string{"limitedswap": "LimitedSwap", "NOSWAP": "NoSwap", "Auto": "auto", "LimitedSwp": "LimitedSwap"} {
		if _, fix := cfgCheckBehavior(in); !strings.HasPrefix(fix, "did you mean "+want+"?") {
			t.Errorf("%s: fix %q", in, fix)
		}
	}
}

func TestValidateVersion(t *testing.T) {
	for in, want := range map[string]string{"1.30.4": "v1.30.4", "v1.30.4": "v1.30.4", "v1.17.0": "v1.17.0", "1.37.99": "v1.37.99", "v1.37.0-rc.1": "v1.37.0-rc.1"} {
		got, prob, _ := cfgCheckVersion(in)
		if got != want || prob != "" {
			t.Errorf("%s: got %q (%s), want %s", in, got, prob, want)
		}
	}
	cfgRunValueCases(t, "version", func(s string) (string, string) { _, p, f := cfgCheckVersion(s); return p, f }, []cfgValueCase{
		{"", "empty"}, {"1.30", "no patch version"}, {"v1.30", "no patch version"}, {"1.16.15", "not supported"}, {"v1.38.0", "not supported"},
		{"v2.0.0", "not supported"}, {"v0.30.0", "not supported"}, {"latest", "not a Kubernetes version"}, {"stable-1.30", "not a Kubernetes version"},
		{"V1.30.4", "not a Kubernetes version"}, {" v1.30.4", "not a Kubernetes version"}, {"v1.30.4+build", "not a Kubernetes version"},
		{"v1.30.4;reboot", "not a Kubernetes version"}, {"v1.30.4$(x)", "not a Kubernetes version"}, {"v1.030.4", "not a Kubernetes version"},
		{"v1.30.99999999999999999999", "not a Kubernetes version"},
	})
}

func TestValidateNodeRegistrationValues(t *testing.T) {
	cfgRunValueCases(t, "criSocket", cfgCheckCRISocket, []cfgValueCase{
		{"unix:///run/containerd/containerd.sock", ""}, {"unix:///var/run/crio/crio.sock", ""},
		{"", "empty"}, {"/run/containerd/containerd.sock", "no unix:// scheme"}, {"unix://run/containerd.sock", "not an absolute socket path"},
		{"npipe:////./pipe/containerd", "not a unix:// socket"}, {"tcp://1.2.3.4:1", "not a unix:// socket"}, {"unix:///", "not a clean"},
		{"unix:///run/../x.sock", "not a clean"}, {"unix:///run/x.sock;reboot", "characters other than"}, {"unix:///run/$(x).sock", "characters other than"},
	})
	cfgRunValueCases(t, "imagePullPolicy", cfgCheckPullPolicy, []cfgValueCase{
		{"Always", ""}, {"IfNotPresent", ""}, {"Never", ""}, {"never", "unknown policy"}, {"ifnotpresent", "unknown policy"}, {"", "unknown policy"}, {"Sometimes", "unknown policy"},
	})
	cfgRunValueCases(t, "preflight", cfgCheckPreflightName, []cfgValueCase{
		{"SystemVerification", ""}, {"all", ""}, {"FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml", ""}, {"Port-6443", ""},
		{"", "not a preflight"}, {"Swap;reboot", "not a preflight"}, {"$(x)", "not a preflight"}, {"a b", "not a preflight"}, {"-x", "not a preflight"},
	})
	cfgRunValueCases(t, "flag", cfgCheckFlagName, []cfgValueCase{
		{"node-labels", ""}, {"v", ""}, {"max-pods", ""},
		{"--node-labels", "starts with -"}, {"node_labels", "not a kubelet flag"}, {"Node-Labels", "not a kubelet flag"}, {"a=b", "not a kubelet flag"}, {"", "not a kubelet flag"},
	})
}

func TestValidateHostKey(t *testing.T) {
	var pubs []ssh.PublicKey
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	for _, raw := range []any{edPub} {
		p, err := ssh.NewPublicKey(raw)
		if err != nil {
			t.Fatal(err)
		}
		pubs = append(pubs, p)
	}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ssh.NewPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pubs = append(pubs, p)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ssh.NewPublicKey(&rk.PublicKey)
	pubs = append(pubs, p)
	for _, pub := range pubs {
		line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
		for _, in := range []string{line, line + " root@host", "  " + line + "  "} {
			got, prob, _ := cfgCheckHostKey(in)
			if prob != "" || got != line {
				t.Errorf("%s: got %q, %q", in, got, prob)
			}
		}
		// Every corruption the SSH library refuses is refused here too.
		f := strings.Fields(line)
		blob := []byte(f[1])
		for i := 0; i < len(blob); i += 7 {
			for _, c := range []byte{'A', '/', '=', '!'} {
				mut := append([]byte(nil), blob...)
				mut[i] = c
				in := f[0] + " " + string(mut)
				_, _, _, _, sshErr := ssh.ParseAuthorizedKey([]byte(in))
				_, prob, _ := cfgCheckHostKey(in)
				if sshErr != nil && prob == "" {
					t.Errorf("accepted %q that x/crypto/ssh refuses: %v", in, sshErr)
				}
			}
		}
		for cut := 1; cut < len(f[1]); cut += 5 {
			in := f[0] + " " + f[1][:cut]
			_, _, _, _, sshErr := ssh.ParseAuthorizedKey([]byte(in))
			if _, prob, _ := cfgCheckHostKey(in); sshErr != nil && prob == "" {
				t.Errorf("accepted truncated %q", in)
			}
		}
	}
	cfgRunValueCases(t, "hostKey", func(s string) (string, string) { _, p, f := cfgCheckHostKey(s); return p, f }, []cfgValueCase{
		{"", "empty"}, {"ssh-ed25519", "no key data"}, {"ed25519 AAAA", "not an SSH public key type"},
		{"10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK3svZndR8FS1nY/3hqIY8lsGffo0zsMiKRApmvshzCA", "known_hosts line"},
		{"ssh-ed25519-cert-v01@openssh.com AAAA", "certificates"}, {"ssh-ed25519 AAAA$(reboot)", "not valid base64"},
		{"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIK3svZndR8FS1nY/3hqIY8lsGffo0zsMiKRApmvshzCA", "not a valid ssh-rsa key"},
	})
}

func TestValidateSuggest(t *testing.T) {
	known := cfgKnown["networking"]
	for in, want := range map[string]string{"podSubent": "podSubnet", "podsubnet": "podSubnet", "PodSubnet": "podSubnet", "serviceSubnets": "serviceSubnet", "pods": "", "x": ""} {
		if got := cfgSuggest(in, known); got != want {
			t.Errorf("cfgSuggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// SwapOf: a host's swap: none wins, its own size and path replace the cluster's (even on a master under
// nodes: workers), and nodes: workers leaves the other masters without swap.
func TestSwapOf(t *testing.T) {
	c := &Cluster{Swap: Swap{SizeBytes: 1 << 30, Path: "/swapfile", Behavior: SwapAuto, Nodes: SwapNodesWorkers}}
	cases := []struct {
		host     Host
		on       bool
		size     int64
		path     string
		whyWords string
	}{
		{Host{Role: RoleMaster}, false, 1 << 30, "/swapfile", "swap.nodes: workers"},
		{Host{Role: RoleMaster, Swap: &HostSwap{SizeBytes: 512 << 20}}, true, 512 << 20, "/swapfile", ""},
		{Host{Role: RoleWorker}, true, 1 << 30, "/swapfile", ""},
		{Host{Role: RoleWorker, Swap: &HostSwap{None: true}}, false, 1 << 30, "/swapfile", "swap: none"},
		{Host{Role: RoleWorker, Swap: &HostSwap{SizeBytes: 4 << 30, Path: "/var/swapfile"}}, true, 4 << 30, "/var/swapfile", ""},
	}
	for i, tc := range cases {
		s, on, why := c.SwapOf(tc.host)
		if on != tc.on || s.SizeBytes != tc.size || s.Path != tc.path || !strings.Contains(why, tc.whyWords) || (why == "") != on || s.Behavior != SwapAuto {
			t.Errorf("case %d: %+v on=%v why=%q", i, s, on, why)
		}
	}
	c.Swap.Nodes = SwapNodesAll
	if _, on, _ := c.SwapOf(Host{Role: RoleMaster}); !on {
		t.Error("nodes: all leaves a master without swap")
	}
}

// SwapOf merges the area fields: a host's device makes a device, its size or path under a cluster's
// device makes a file, its type and encrypt win, the cluster's are kept otherwise.
func TestSwapOfAreaKinds(t *testing.T) {
	yes, no := true, false
	dev := Swap{Type: SwapTypeDevice, Device: "/dev/vdb", Encrypt: true, SizeBytes: 1 << 30, Path: "/swapfile"}
	file := Swap{Type: SwapTypeFile, SizeBytes: 1 << 30, Path: "/swapfile"}
	cases := []struct {
		name    string
		cluster Swap
		host    *HostSwap
		typ     SwapType
		device  string
		encrypt bool
		size    int64
	}{
		{"cluster device kept", dev, nil, SwapTypeDevice, "/dev/vdb", true, 1 << 30},
		{"host size under a device: a file", dev, &HostSwap{SizeBytes: 2 << 30}, SwapTypeFile, "/dev/vdb", true, 2 << 30},
		{"host path under a device: a file", dev, &HostSwap{Path: "/var/swapfile", Encrypt: &no}, SwapTypeFile, "/dev/vdb", false, 1 << 30},
		{"host zram with its size", dev, &HostSwap{Type: SwapTypeZram, SizeBytes: 2 << 30, Encrypt: &no}, SwapTypeZram, "/dev/vdb", false, 2 << 30},
		{"host device under a file", file, &HostSwap{Device: "/dev/vdc"}, SwapTypeDevice, "/dev/vdc", false, 1 << 30},
		{"host encrypt under a file", file, &HostSwap{Encrypt: &yes}, SwapTypeFile, "", true, 1 << 30},
		{"host zram under a file keeps the size", file, &HostSwap{Type: SwapTypeZram}, SwapTypeZram, "", false, 1 << 30},
	}
	for _, tc := range cases {
		c := &Cluster{Swap: tc.cluster}
		s, on, _ := c.SwapOf(Host{Role: RoleWorker, Swap: tc.host})
		if !on || s.Type != tc.typ || s.Device != tc.device || s.Encrypt != tc.encrypt || s.SizeBytes != tc.size {
			t.Errorf("%s: got %+v", tc.name, s)
		}
	}
}
