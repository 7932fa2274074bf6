package hostfacts

import (
	"errors"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

func TestParseHAFacts(t *testing.T) {
	f, err := ParseFacts("@swapboot fact addresses=lo=127.0.0.1/8 eth0=10.0.0.11/24 eth0=fe80::1/64 br0=10.1.0.1/16 \n@swapboot fact lb_missing=haproxy curl\n")
	if err != nil {
		t.Fatal(err)
	}
	h := cluster.Host{Address: "10.0.0.11"}
	if got := Interface(h, f); got != "eth0" {
		t.Errorf("interface of 10.0.0.11 = %q", got)
	}
	if got := strings.Join(f.LBMissing, ","); got != "haproxy,curl" {
		t.Errorf("missing = %q", got)
	}
}

// TestCheckHA: keepalived needs its tools and the master's address on an interface; external needs
// neither.
func TestCheckHA(t *testing.T) {
	m1, m2 := cluster.Host{Address: "10.0.0.11", Role: cluster.RoleMaster}, cluster.Host{Address: "10.0.0.12", Role: cluster.RoleMaster}
	c := &cluster.Cluster{Masters: []cluster.Host{m1, m2}, ControlPlane: &cluster.ControlPlane{Host: "10.0.0.10", Port: 8443, LoadBalancer: cluster.LBKeepalived}}
	facts := map[string]Facts{
		m1.Address: {Interfaces: map[string]string{m1.Address: "eth0"}},
		m2.Address: {LBMissing: []string{"keepalived"}, Interfaces: map[string]string{"10.9.9.9": "eth0"}},
	}
	probs := checkHA(c, facts)
	if len(probs) != 2 || probs[0].Host != m2.ID() || !strings.Contains(probs[0].Problem, "keepalived not installed") || !strings.Contains(probs[1].Problem, "no interface holds 10.0.0.12") {
		t.Fatalf("problems = %+v", probs)
	}
	c.ControlPlane.LoadBalancer = cluster.LBExternal
	if probs := checkHA(c, facts); len(probs) != 0 {
		t.Errorf("external: %+v", probs)
	}
	c.ControlPlane.LoadBalancer = cluster.LBKeepalived
	var fe *FactsError
	if err := CheckFacts(c, facts); !errors.As(err, &fe) || !strings.Contains(err.Error(), "install the packages keepalived, haproxy and curl") {
		t.Errorf("CheckFacts: %v", err)
	}
}
