package lab

import (
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

const swapsSample = `Filename				Type		Size		Used		Priority
/swapfile                               file		262140		0		-2
/swapfile                               file		65532		12		-3
/dev/zram0                              partition	1048572		0		100
/with\040space                           file		65532		0		-4
`

func TestParseAndRenderSwaps(t *testing.T) {
	es := ParseSwaps(swapsSample)
	if len(es) != 4 || es[1].SizeKB != 65532 || es[1].UsedKB != 12 || es[1].Prio != -3 || es[3].Path != "/with space" {
		t.Fatalf("parse: %+v", es)
	}
	round := ParseSwaps(RenderSwaps(es))
	if len(round) != 4 || round[3] != es[3] || round[2] != es[2] {
		t.Fatalf("round trip: %+v", round)
	}
	if !strings.HasPrefix(RenderSwaps(nil), "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n") {
		t.Fatal("header")
	}
}

func TestFilterSwapsPicksOwnAreaBySize(t *testing.T) {
	all := ParseSwaps(swapsSample)
	// The host owns an active 64 MiB /swapfile: of the two /swapfile areas,
	// the 65532 KiB one is its own; partitions are never a host's.
	got := FilterSwaps(all, func(p string) (bool, int64) { return p == "/swapfile", 64 << 20 })
	if len(got) != 1 || got[0].SizeKB != 65532 {
		t.Fatalf("got %+v", got)
	}
	got = FilterSwaps(all, func(p string) (bool, int64) { return p == "/swapfile", 256 << 20 })
	if len(got) != 1 || got[0].SizeKB != 262140 {
		t.Fatalf("got %+v", got)
	}
	if got := FilterSwaps(all, func(string) (bool, int64) { return false, 0 }); len(got) != 0 {
		t.Fatalf("inactive: %+v", got)
	}
}

func TestFilterMeminfo(t *testing.T) {
	in := "MemTotal:       24731708 kB\nSwapCached:            0 kB\nSwapTotal:        327672 kB\nSwapFree:         327660 kB\nZswap:                 0 kB\n"
	out := FilterMeminfo(in, []SwapEntry{{Path: "/swapfile", Type: "file", SizeKB: 65532, UsedKB: 12}})
	want := "MemTotal:       24731708 kB\nSwapCached:            0 kB\nSwapTotal:         65532 kB\nSwapFree:          65520 kB\nZswap:                 0 kB\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}

func TestNamesAndAddresses(t *testing.T) {
	if got := strings.Join(HostNames("lab", 3), " "); got != "lab-m1 lab-w1 lab-w2" {
		t.Fatal(got)
	}
	ip, gw, bits, err := HostIP("10.77.0.0/24", 2)
	if err != nil || ip.String() != "10.77.0.13" || gw.String() != "10.77.0.1" || bits != 24 {
		t.Fatal(ip, gw, bits, err)
	}
	if _, _, _, err := HostIP("10.77.0.0/28", 0); err == nil {
		t.Fatal("want error for /28")
	}
	for s, ok := range map[string]bool{"lab-m1": true, "lab-w12": true, "lab-br": false, "lab2-w1": false, "lab-w": false} {
		if isLabHostName("lab", s) != ok {
			t.Errorf("isLabHostName(%q)", s)
		}
	}
	if !matchHost("lab", "lab-w1", "w1") || !matchHost("lab", "lab-w1", "lab-w1") || matchHost("lab", "lab-w1", "w2") {
		t.Fatal("matchHost")
	}
	o := Options{Name: "Bad-Name"}
	if o.Normalize() == nil {
		t.Fatal("want name error")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"64M": 64 << 20, "1G": 1 << 30, "512k": 512 << 10, "100MiB": 100 << 20, "4096": 4096} {
		if got, err := ParseSizeBytes(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	if _, err := ParseSizeBytes("x"); err == nil {
		t.Error("want error")
	}
}

func TestPlanHosts(t *testing.T) {
	o := Options{Name: "lab", Hosts: 3, OldDebLayout: []string{"w2"}, SmallDisk: map[string]string{"lab-w1": "64M"}}
	if err := o.Normalize(); err != nil {
		t.Fatal(err)
	}
	st, err := planHosts(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Hosts[0].Role != "master" || st.Hosts[1].DiskBytes != 64<<20 || !st.Hosts[2].OldDebLayout || st.Hosts[1].OldDebLayout {
		t.Fatalf("%+v", st.Hosts)
	}
	o.OldDebLayout = []string{"w9"}
	if _, err := planHosts(o, nil); err == nil {
		t.Fatal("want unknown host error")
	}
}

func TestClusterFile(t *testing.T) {
	st := &State{Name: "lab", Hosts: []Host{{Name: "lab-m1", IP: "10.77.0.11", Role: "master"}, {Name: "lab-w1", IP: "10.77.0.12", Role: "worker"}, {Name: "lab-w2", IP: "10.77.0.13", Role: "worker"}}}
	got := ClusterFile(st, NewPaths("/var/lib/swapboot-lab", "lab"))
	want := `name: lab
ssh: {user: root, port: 22, keyFile: /var/lib/swapboot-lab/lab/id_ed25519, knownHosts: /var/lib/swapboot-lab/lab/known_hosts}
masters: [10.77.0.11]
workers: [10.77.0.12, 10.77.0.13]
networking: {podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12}
swap: {size: 256M, path: /swapfile, behavior: auto}
kubelet: {cgroupDriver: cgroupfs, failCgroupV1: false}
kubeProxy: {conntrack: {maxPerCore: 0}}
nodeRegistration: {criSocket: unix:///run/containerd/containerd.sock, imagePullPolicy: Never, ignorePreflightErrors: [SystemVerification]}
`
	if got != want {
		t.Fatalf("got\n%s", got)
	}
}

func TestHostPodCIDRsAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 30; i++ {
		c := HostPodCIDR(Host{Index: i})
		if seen[c] || !strings.HasPrefix(c, "10.244.") {
			t.Fatalf("host %d: %s", i, c)
		}
		seen[c] = true
	}
}

func TestMountInfoAndEscapes(t *testing.T) {
	m, ok := parseMountInfoLine(`146 50 254:0 /a /var/lib/x\040y rw,relatime shared:1 - ext4 /dev/vda rw,discard`)
	if !ok || m.Point != "/var/lib/x y" || m.FSType != "ext4" || m.Source != "/dev/vda" || m.Root != "/a" {
		t.Fatalf("%+v", m)
	}
	if unescapeOctal(`a\134b\011`) != "a\\b\t" {
		t.Fatal("unescape")
	}
}

func TestConfigsMentionRequiredSettings(t *testing.T) {
	c := containerdConfig("example.invalid/pause:3.10.2")
	for _, want := range []string{"restrict_oom_score_adj = true", "SystemdCgroup = false", `sandbox_image = "example.invalid/pause:3.10.2"`, `bin_dir = "/opt/cni/bin"`} {
		if !strings.Contains(c, want) {
			t.Errorf("containerd config lacks %s", want)
		}
	}
	if strings.Contains(containerdConfig(""), "sandbox_image") {
		t.Error("no pause image: keep containerd's default")
	}
	if !strings.Contains(CNIConfig("10.244.1.0/24"), `"subnet": "10.244.1.0/24"`) {
		t.Error("cni subnet")
	}
	if pauseImage([]string{"a/kube-apiserver:v1", "example.invalid/pause:3.10.2"}) != "example.invalid/pause:3.10.2" {
		t.Error("pause image")
	}
}

// The lab's cluster files load as swapboot loads them: flannel by default, plugin none when the lab
// applied its own pod network.
func TestClusterFileLoads(t *testing.T) {
	hosts := []Host{{Name: "lab-m1", IP: "10.77.0.11", Role: "master"}, {Name: "lab-w1", IP: "10.77.0.12", Role: "worker"}}
	for _, static := range []bool{false, true} {
		st := &State{Name: "lab", Hosts: hosts, StaticPodNetwork: static}
		c, err := cluster.LoadFrom("cluster.yaml", []byte(ClusterFile(st, NewPaths("/var/lib/swapboot-lab", "lab"))))
		if err != nil {
			t.Fatalf("static=%v: %v", static, err)
		}
		want := cluster.CNIFlannel
		if static {
			want = cluster.CNINone
		}
		if got := c.Networking.CNI.Plugin; got != want {
			t.Errorf("static=%v: plugin %q, want %q", static, got, want)
		}
	}
}

// Only a lab with nothing alive is stale: a live part (a process, a namespace, a swap file) means a run
// may still use it, and a lab with no directory is not a lab at all.
func TestReportStale(t *testing.T) {
	cases := []struct {
		name string
		r    Report
		want bool
	}{
		{"directory only", Report{StateDir: true}, true},
		{"directory and hosts recorded, none running", Report{StateDir: true, Hosts: []HostStatus{{Name: "h0"}}}, true},
		{"nothing", Report{}, false},
		{"a host running", Report{StateDir: true, Running: 1}, false},
		{"a namespace", Report{StateDir: true, Netns: []string{"swl-x-h0"}}, false},
		{"a process", Report{StateDir: true, Processes: []int{42}}, false},
		{"a swap file", Report{StateDir: true, SwapFiles: []string{"/x/swapfile"}}, false},
		{"a mount", Report{StateDir: true, Mounts: []string{"/x/root"}}, false},
		{"a cgroup", Report{StateDir: true, Cgroups: []string{"swapboot-x-h0"}}, false},
		{"only zombies", Report{StateDir: true, Zombies: []int{7}}, true},
	}
	for _, c := range cases {
		if got := c.r.Stale(); got != c.want {
			t.Errorf("%s: Stale() = %v, want %v", c.name, got, c.want)
		}
	}
}
