package hostfacts

import (
	"reflect"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// TestParseFactsReadsThePodNetworkFacts: facts.sh's lines for br_netfilter, the sysctls, the runtime's
// CNI bin dir and where each CNI plugin is.
func TestParseFactsReadsThePodNetworkFacts(t *testing.T) {
	out := "@swapboot fact cni_bin_dir=/usr/lib/cni\n" +
		"@swapboot fact br_netfilter=yes\n" +
		"@swapboot fact bridge_nf_call_iptables=1\n" +
		"@swapboot fact ip_forward=0\n" +
		"@swapboot fact cni_plugins=bridge=/usr/lib/cni portmap=/opt/cni/bin host-local= loopback=/usr/lib/cni\n"
	f, err := ParseFacts(out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"bridge": "/usr/lib/cni", "portmap": "/opt/cni/bin", "host-local": "", "loopback": "/usr/lib/cni"}
	if f.CNIBinDir != "/usr/lib/cni" || !f.BrNetfilter || f.BridgeNFCallIptables != "1" || f.IPForward != "0" || !reflect.DeepEqual(f.CNIPlugins, want) {
		t.Errorf("got %+v", f)
	}
	f, _ = ParseFacts("@swapboot fact br_netfilter=no\n@swapboot fact cni_bin_dir=\n")
	if f.BrNetfilter || RuntimeCNIBinDir(f) != DefaultCNIBinDir {
		t.Errorf("br_netfilter=no, no bin dir: %+v, dir %s", f, RuntimeCNIBinDir(f))
	}
}

func podNetCluster(plugin cluster.CNIPlugin) *cluster.Cluster {
	return &cluster.Cluster{Name: "lab",
		Masters:    []cluster.Host{{Address: "10.0.0.1", Role: cluster.RoleMaster}},
		Workers:    []cluster.Host{{Address: "10.0.0.2", Role: cluster.RoleWorker}, {Address: "10.0.0.3", Name: "w3", Role: cluster.RoleWorker}},
		Networking: cluster.Networking{CNI: cluster.CNI{Plugin: plugin}}}
}

func plugins(dir string, names ...string) map[string]string {
	m := map[string]string{}
	for _, p := range FlannelDelegates {
		m[p] = ""
	}
	for _, n := range names {
		m[n] = dir
	}
	return m
}

func TestCheckPodNetwork(t *testing.T) {
	all := FlannelDelegates
	good := Facts{CNIBinDir: "/usr/lib/cni", CNIPlugins: plugins("/usr/lib/cni", all...)}
	t.Run("every plugin where the runtime looks", func(t *testing.T) {
		c := podNetCluster(cluster.CNIFlannel)
		facts := map[string]Facts{"10.0.0.1": good, "10.0.0.2": good, "10.0.0.3": good}
		if p := CheckPodNetwork(c, c.Hosts(), facts); len(p) != 0 {
			t.Errorf("problems %v", p)
		}
		if d, p := ClusterCNIBinDir(c.Hosts(), facts); d != "/usr/lib/cni" || p != nil {
			t.Errorf("dir %q, %v", d, p)
		}
	})
	t.Run("missing plugins name the host, the plugins, the dirs and the package", func(t *testing.T) {
		c := podNetCluster(cluster.CNIFlannel)
		bad := Facts{CNIBinDir: "/usr/lib/cni", CNIPlugins: plugins("/usr/lib/cni", "loopback")}
		p := CheckPodNetwork(c, c.Hosts(), map[string]Facts{"10.0.0.1": good, "10.0.0.2": good, "10.0.0.3": bad})
		if len(p) != 1 || p[0].Host != "w3/10.0.0.3" {
			t.Fatalf("problems %v", p)
		}
		msg := (&FactsError{Problems: p}).Error()
		for _, want := range []string{"w3/10.0.0.3", "bridge, portmap, host-local", "looked in /usr/lib/cni and /opt/cni/bin", "apt-get install containernetworking-plugins"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q lacks %q", msg, want)
			}
		}
	})
	t.Run("plugins in /opt/cni/bin while containerd looks in /usr/lib/cni", func(t *testing.T) {
		c := podNetCluster(cluster.CNIFlannel)
		bad := Facts{CNIBinDir: "/usr/lib/cni", CNIPlugins: plugins("/opt/cni/bin", all...)}
		p := CheckPodNetwork(c, c.Hosts(), map[string]Facts{"10.0.0.1": bad, "10.0.0.2": good, "10.0.0.3": good})
		if len(p) != 1 || p[0].Host != "10.0.0.1" || !strings.Contains(p[0].Problem, "not where the container runtime looks (/usr/lib/cni): bridge (in /opt/cni/bin)") {
			t.Errorf("problems %v", p)
		}
	})
	t.Run("runtimes that disagree on the bin dir are refused, naming them", func(t *testing.T) {
		c := podNetCluster(cluster.CNIFlannel)
		opt := Facts{CNIPlugins: plugins("/opt/cni/bin", all...)} // bin dir unknown: the default
		p := CheckPodNetwork(c, c.Hosts(), map[string]Facts{"10.0.0.1": good, "10.0.0.2": opt, "10.0.0.3": good})
		if len(p) != 1 || p[0].Host != "cluster" || !strings.Contains(p[0].Problem, "/opt/cni/bin: 10.0.0.2; /usr/lib/cni: 10.0.0.1, w3/10.0.0.3") {
			t.Errorf("problems %v", p)
		}
	})
	t.Run("plugin none checks no CNI plugin", func(t *testing.T) {
		c := podNetCluster(cluster.CNINone)
		none := Facts{CNIPlugins: plugins("")}
		if p := CheckPodNetwork(c, c.Hosts(), map[string]Facts{"10.0.0.1": none, "10.0.0.2": none, "10.0.0.3": none}); len(p) != 0 {
			t.Errorf("problems %v", p)
		}
	})
}
