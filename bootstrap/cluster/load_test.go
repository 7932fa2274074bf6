package cluster

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/internal/golden"
)

// go test ./bootstrap/cluster -run 'Load|Parse' -update (make golden) rewrites the .want/.json goldens and the
// FuzzParse seed corpus from the cluster files. Review the diff.

const cfgTestHome = "/home/tester"

// cfgPinHome makes "~/" expand to /home/tester for the duration of the test.
func cfgPinHome(t testing.TB) {
	t.Setenv("HOME", cfgTestHome)
}

func cfgGlob(t testing.TB, pattern string) []string {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", pattern, err)
	}
	return files
}

// TestLoadBadClusterFiles: every broken file gives exactly its .want message, as a *ConfigError.
func TestLoadBadClusterFiles(t *testing.T) {
	cfgPinHome(t)
	files := cfgGlob(t, "testdata/clusterfiles/bad/*.yaml")
	if len(files) < 40 {
		t.Fatalf("only %d bad cluster files", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := Load(file)
			if err == nil {
				t.Fatalf("loaded without error: %+v", c)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not *ConfigError: %v", err, err)
			}
			if ce.File != file || ce.Problem == "" || ce.Fix == "" {
				t.Errorf("incomplete error %#v", ce)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("message is not one line: %q", err.Error())
			}
			wantFile := strings.TrimSuffix(file, ".yaml") + ".want"
			if golden.Updating() {
				if err := os.WriteFile(wantFile, []byte(err.Error()+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, rerr := os.ReadFile(wantFile)
			if rerr != nil {
				t.Fatalf("%v (run with -update)", rerr)
			}
			if got := err.Error(); got != strings.TrimSuffix(string(want), "\n") {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestLoadGoodClusterFiles: every good file loads, and its Cluster equals the .json golden.
func TestLoadGoodClusterFiles(t *testing.T) {
	cfgPinHome(t)
	for _, file := range cfgGlob(t, "testdata/clusterfiles/good/*.yaml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(c, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			goldenFile := strings.TrimSuffix(file, ".yaml") + ".json"
			if golden.Updating() {
				if err := os.WriteFile(goldenFile, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenFile)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if string(got) != strings.TrimSuffix(string(want), "\n") {
				t.Errorf("%s:\ngot  %s\nwant %s", file, got, want)
			}
		})
	}
}

// TestLoadExamples: the annotated samples in examples/ are valid.
func TestLoadExamples(t *testing.T) {
	cfgPinHome(t)
	for _, file := range cfgGlob(t, "../../examples/*.yaml") {
		if _, err := Load(file); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Line != 0 || !strings.Contains(err.Error(), "nope.yaml: cannot read the cluster file: no such file or directory;") {
		t.Fatalf("got %v", err)
	}
	_, err = Load(t.TempDir())
	if !errors.As(err, &ce) {
		t.Fatalf("directory: got %v", err)
	}
}

func TestLoadTooLarge(t *testing.T) {
	big := "name: lab\nmasters: [192.168.122.50]\n" + strings.Repeat("# padding\n", MaxClusterFileSize/10+1)
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v", err)
	}
}

// TestParseDefaults spells out every default of a minimal file.
func TestParseDefaults(t *testing.T) {
	cfgPinHome(t)
	c, err := Parse("lab.yaml", []byte("name: lab\nmasters: [192.168.122.50]\nworkers: [192.168.122.51]\n"))
	if err != nil {
		t.Fatal(err)
	}
	ssh := SSH{User: "root", Port: 22, KnownHosts: "/home/tester/.ssh/known_hosts"}
	want := &Cluster{
		File:       "lab.yaml",
		Name:       "lab",
		Masters:    []Host{{Address: "192.168.122.50", Role: RoleMaster, SSH: ssh, Line: 2}},
		Workers:    []Host{{Address: "192.168.122.51", Role: RoleWorker, SSH: ssh, Line: 3}},
		Networking: Networking{PodSubnet: "10.244.0.0/16", ServiceSubnet: "10.96.0.0/12", CNI: CNI{Plugin: CNIFlannel, Backend: BackendVXLAN}},
		Swap:       Swap{Type: SwapTypeFile, SizeBytes: 1 << 30, Path: "/swapfile", Behavior: SwapAuto, Nodes: SwapNodesAll, Label: true, ProtectSystemDaemons: true},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

// TestParseSSHInheritance: defaults < cluster ssh < host ssh; a bastion takes user, key and known_hosts
// from the level it is declared at; each host has its own copy.
func TestParseSSHInheritance(t *testing.T) {
	cfgPinHome(t)
	c, err := Parse("f", []byte(`name: lab
ssh: {user: ops, keyFile: ~/k, bastion: {address: 203.0.113.5}}
masters: [192.168.1.10]
workers:
  - {address: 192.168.1.11, ssh: {user: ubuntu, port: 2222}}
  - {address: 192.168.1.12, ssh: {keyFile: /k2, bastion: {address: 203.0.113.6, port: 23}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	jump := &Bastion{Address: "203.0.113.5", Port: 22, User: "ops", KeyFile: "/home/tester/k", KnownHosts: "/home/tester/.ssh/known_hosts"}
	want := []SSH{
		{User: "ops", Port: 22, KeyFile: "/home/tester/k", KnownHosts: "/home/tester/.ssh/known_hosts", Bastion: jump},
		{User: "ubuntu", Port: 2222, KeyFile: "/home/tester/k", KnownHosts: "/home/tester/.ssh/known_hosts", Bastion: jump},
		{User: "ops", Port: 22, KeyFile: "/k2", KnownHosts: "/home/tester/.ssh/known_hosts",
			Bastion: &Bastion{Address: "203.0.113.6", Port: 23, User: "ops", KeyFile: "/k2", KnownHosts: "/home/tester/.ssh/known_hosts"}},
	}
	hosts := c.Hosts()
	for i, h := range hosts {
		if !reflect.DeepEqual(h.SSH, want[i]) {
			t.Errorf("%s: got %+v (bastion %+v)\nwant %+v (bastion %+v)", h.ID(), h.SSH, h.SSH.Bastion, want[i], want[i].Bastion)
		}
	}
	if hosts[0].SSH.Bastion == hosts[1].SSH.Bastion {
		t.Error("hosts share one *Bastion")
	}
}

func TestParseHomeUnknown(t *testing.T) {
	t.Setenv("HOME", "")
	for _, tc := range []struct{ in, want string }{
		{"name: lab\nmasters: [192.168.122.50]\n", "f:1: ssh.knownHosts: cannot expand the default ~/.ssh/known_hosts: the home directory is unknown ($HOME is not set); set HOME or write an absolute path"},
		{"name: lab\nssh: {knownHosts: /kh, keyFile: ~/.ssh/id}\nmasters: [192.168.122.50]\n", `f:2: ssh.keyFile: cannot expand ~ in "~/.ssh/id": the home directory is unknown ($HOME is not set); set HOME or write an absolute path`},
	} {
		_, err := Parse("f", []byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("got  %v\nwant %s", err, tc.want)
		}
	}
	if _, err := Parse("f", []byte("name: lab\nssh: {knownHosts: /kh}\nmasters: [192.168.122.50]\n")); err != nil {
		t.Errorf("absolute paths need no home: %v", err)
	}
}

// TestParseFirstProblemInFileOrder: of several problems, the one nearest the top is reported.
func TestParseFirstProblemInFileOrder(t *testing.T) {
	cfgPinHome(t)
	for _, tc := range []struct{ in, want string }{
		{"name: lab\nmasters: [192.168.122.50]\nswap: {sise: 1G}\nnetworking: {podSubnet: \"10.0.0.0/8\\n\"}\n", "f:3: swap.sise: unknown field; did you mean size?"},
		{"name: \"l\\tab\"\nmasters: [192.168.122.50]\nswap: {sise: 1G}\n", "f:1: name: the value contains a tab; values are single-line text without control characters; remove it"},
		{"workers: [nope]\nname: lab\n", `f:1: workers[0]: "nope" is not an IP address; write the host's IPv4 or IPv6 address, e.g. 192.168.122.50 (host names are not accepted)`},
		{"swap: {size: 1G}\nname: lab\n", "f:1: masters: is missing; list the control-plane host, e.g. masters: [192.168.122.50]"},
		{"ssh: {user: ubuntu}\nmasters: [192.168.122.50]\nname: lab\nname: lab\n", "f:4: name: given twice (first at line 3); keep one"},
	} {
		_, err := Parse("f", []byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\ngot  %v\nwant %s", tc.in, err, tc.want)
		}
	}
}

// TestParseTable covers accepted spellings and normalisations field by field.
func TestParseTable(t *testing.T) {
	cfgPinHome(t)
	base := "name: lab\nmasters: [192.168.122.50]\n"
	for _, tc := range []struct {
		name, in string
		check    func(*Cluster) bool
	}{
		{"version without v", "kubernetesVersion: 1.30.4\n", func(c *Cluster) bool { return c.KubernetesVersion == "v1.30.4" }},
		{"version with v", "kubernetesVersion: v1.17.0\n", func(c *Cluster) bool { return c.KubernetesVersion == "v1.17.0" }},
		{"version pre-release", "kubernetesVersion: v1.37.0-alpha.1\n", func(c *Cluster) bool { return c.KubernetesVersion == "v1.37.0-alpha.1" }},
		{"no version", "", func(c *Cluster) bool { return c.KubernetesVersion == "" }},
		{"size 512M", "swap: {size: 512M}\n", func(c *Cluster) bool { return c.Swap.SizeBytes == 512<<20 }},
		{"size 1.5G", "swap: {size: 1.5G}\n", func(c *Cluster) bool { return c.Swap.SizeBytes == 1536<<20 }},
		{"size 2GiB", "swap: {size: 2GiB}\n", func(c *Cluster) bool { return c.Swap.SizeBytes == 2<<30 }},
		{"size 1Gi", "swap: {size: 1Gi}\n", func(c *Cluster) bool { return c.Swap.SizeBytes == 1<<30 }},
		{"size 65536K", "swap: {size: 65536K}\n", func(c *Cluster) bool { return c.Swap.SizeBytes == 64<<20 }},
		{"size 1T", "swap: {size: 1T}\n", func(c *Cluster) bool { return c.Swap.SizeBytes == 1<<40 }},
		{"size rounds to MiB", "swap: {size: 100.4M}\n", func(c *Cluster) bool { return c.Swap.SizeBytes == 100<<20 }},
		{"size rounds half up", "swap: {size: 100.5M}\n", func(c *Cluster) bool { return c.Swap.SizeBytes == 101<<20 }},
		{"behaviors", "swap: {behavior: NoSwap}\n", func(c *Cluster) bool { return c.Swap.Behavior == SwapNoSwap }},
		{"ipv6 canonical", "workers: [\"2001:DB8::0:11\"]\n", func(c *Cluster) bool { return c.Workers[0].Address == "2001:db8::11" }},
		{"workers null", "workers:\n", func(c *Cluster) bool { return c.Workers == nil }},
		{"empty sections", "ssh: {}\nnetworking: {}\nswap: {}\nkubelet: {}\nkubeProxy: {}\nnodeRegistration: {}\n", func(c *Cluster) bool {
			return c.Kubelet == nil && c.KubeProxy == nil && c.Swap.Path == "/swapfile" && c.Networking.PodSubnet == DefaultPodSubnet
		}},
		{"extra args kept verbatim", "nodeRegistration: {kubeletExtraArgs: {node-labels: \"a=$(b)\", v: 2}}\n", func(c *Cluster) bool {
			return reflect.DeepEqual(c.NodeRegistration.KubeletExtraArgs, map[string]string{"node-labels": "a=$(b)", "v": "2"})
		}},
		{"host key comment dropped", "workers: [{address: 192.168.122.51, ssh: {hostKey: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK3svZndR8FS1nY/3hqIY8lsGffo0zsMiKRApmvshzCA root@vm\"}}]\n", func(c *Cluster) bool {
			return c.Workers[0].SSH.HostKey == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK3svZndR8FS1nY/3hqIY8lsGffo0zsMiKRApmvshzCA"
		}},
		{"kubelet values", "kubelet: {maxPods: 110, evictionHard: {memory.available: 100Mi}, cgroupDriver: systemd}\n", func(c *Cluster) bool {
			return reflect.DeepEqual(c.Kubelet, map[string]any{"maxPods": 110, "evictionHard": map[string]any{"memory.available": "100Mi"}, "cgroupDriver": "systemd"})
		}},
		{"dates stay text", "kubeProxy: {clusterCIDR: 2001-12-14}\n", func(c *Cluster) bool {
			return c.KubeProxy["clusterCIDR"] == "2001-12-14"
		}},
		{"node name subdomain", "workers: [{address: 192.168.122.51, name: w1.lab.example}]\n", func(c *Cluster) bool { return c.Workers[0].Name == "w1.lab.example" }},
		{"ssh port as hex", "ssh: {port: 0x16}\n", func(c *Cluster) bool { return c.Masters[0].SSH.Port == 22 }},
		{"user with dot", "ssh: {user: first.last}\n", func(c *Cluster) bool { return c.Masters[0].SSH.User == "first.last" }},
		{"preflight all alone", "nodeRegistration: {ignorePreflightErrors: [All]}\n", func(c *Cluster) bool {
			return reflect.DeepEqual(c.NodeRegistration.IgnorePreflightErrors, []string{"All"})
		}},
		{"bom", "", func(c *Cluster) bool { return c.Name == "lab" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base + tc.in
			if tc.name == "bom" {
				in = "\uFEFF" + in
			}
			c, err := Parse("f", []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Errorf("unexpected result %+v", c)
			}
		})
	}
}

func TestConfigErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    ConfigError
		want string
	}{
		{ConfigError{File: "c.yaml", Line: 3, Field: "swap.size", Problem: "bad", Fix: "fix it"}, "c.yaml:3: swap.size: bad; fix it"},
		{ConfigError{File: "c.yaml", Problem: "the file is empty", Fix: "write it"}, "c.yaml: the file is empty; write it"},
		{ConfigError{File: "c.yaml", Line: 1, Problem: "invalid YAML: x"}, "c.yaml:1: invalid YAML: x"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
