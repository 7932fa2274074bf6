package lab

import (
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// TestHARoles: --masters 3 with keepalived: m1..m3, w1, the endpoint .10:8443 in the cluster file (which
// swapboot's loader accepts), keepalived and haproxy kept on the masters only; external: one more host
// running haproxy in front of the three masters.
func TestHARoles(t *testing.T) {
	o := Options{Name: "ha", Hosts: 4, Masters: 3, Subnet: "10.78.0.0/24"}
	if err := o.Normalize(); err != nil {
		t.Fatal(err)
	}
	st, err := planHosts(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range st.Hosts {
		got = append(got, h.Name+"="+h.Role+"@"+h.IP)
	}
	if want := "ha-m1=master@10.78.0.11 ha-m2=master@10.78.0.12 ha-m3=master@10.78.0.13 ha-w1=worker@10.78.0.14"; strings.Join(got, " ") != want {
		t.Errorf("hosts %s", strings.Join(got, " "))
	}
	file := ClusterFile(st, NewPaths("/var/lib/swapboot-lab", "ha"))
	if !strings.Contains(file, "masters: [10.78.0.11, 10.78.0.12, 10.78.0.13]\nworkers: [10.78.0.14]\ncontrolPlane: {endpoint: 10.78.0.10:8443, loadBalancer: keepalived}\n") {
		t.Errorf("cluster file:\n%s", file)
	}
	c, err := cluster.Parse("cluster.yaml", []byte(file))
	if err != nil || c.ControlPlane == nil || len(c.Masters) != 3 {
		t.Fatalf("swapboot does not accept the lab's file: %v", err)
	}
	if k := keptUnits(st.LoadBalancer, st.Hosts[1]); !k["keepalived.service"] || !k["haproxy.service"] {
		t.Errorf("master keeps %v", k)
	}
	if k := keptUnits(st.LoadBalancer, st.Hosts[3]); len(k) != 0 {
		t.Errorf("worker keeps %v", k)
	}

	o = Options{Name: "hx", Hosts: 4, Masters: 3, LoadBalancer: LBExternal, Subnet: "10.79.0.0/24"}
	if err := o.Normalize(); err != nil {
		t.Fatal(err)
	}
	st, err = planHosts(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Hosts) != 5 || st.Hosts[4].Name != "hx-lb" || st.Hosts[4].Role != "lb" || st.Endpoint != "10.79.0.15:6443" {
		t.Fatalf("external: %+v endpoint %s", st.Hosts, st.Endpoint)
	}
	file = ClusterFile(st, NewPaths("/var/lib/swapboot-lab", "hx"))
	if strings.Contains(file, "10.79.0.15, ") || strings.Contains(file, ", 10.79.0.15]") || !strings.Contains(file, "loadBalancer: external") {
		t.Errorf("the load balancer is listed as a node:\n%s", file)
	}
	if cfg := lbHAProxyConfig(st); strings.Count(cfg, "    server ") != 3 || !strings.Contains(cfg, "server hx-m3 10.79.0.13:6443 check") {
		t.Errorf("haproxy.cfg:\n%s", cfg)
	}
	bad := Options{Name: "ha", Hosts: 2, Masters: 3}
	if err := bad.Normalize(); err == nil {
		t.Error("3 masters of 2 hosts accepted")
	}
}

// The load-balancer host comes after the N hosts: it is never taken for one of the last (vm) workers.
func TestLoadBalancerHostIsNeverAVM(t *testing.T) {
	for _, vms := range []int{0, 1} {
		o := Options{Name: "hax", Hosts: 4, Masters: 3, LoadBalancer: LBExternal, VMWorkers: vms, Subnet: "10.92.0.0/24"}
		if err := o.Normalize(); err != nil {
			t.Fatal(err)
		}
		st, err := planHosts(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range st.Hosts {
			if h.VM != (vms == 1 && h.Name == "hax-w1") {
				t.Errorf("vm workers %d: %s (%s) vm=%v", vms, h.Name, h.Role, h.VM)
			}
		}
	}
}
