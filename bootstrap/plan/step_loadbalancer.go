package plan

import (
	"hash/fnv"
	"net/netip"
	"strconv"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// loadBalancerKind writes keepalived's and haproxy's configuration on a master and (re)starts them
// (templates/scripts/load-balancer.sh), before init: the endpoint must answer when kubeadm uses it.
type loadBalancerKind struct {
	keepalived, check, haproxy string
}

func (loadBalancerKind) Phase() Phase { return PhaseLoadBalancer }
func (k loadBalancerKind) Script(Runtime) (templates.Script, error) {
	return templates.LoadBalancer{KeepalivedConf: k.keepalived, CheckScript: k.check, HAProxyCfg: k.haproxy}, nil
}

// Paths of the files loadBalancer: keepalived writes on every master (reset removes them).
const (
	KeepalivedConfPath = "/etc/keepalived/keepalived.conf"
	CheckAPIServerPath = "/etc/keepalived/check_apiserver.sh"
	HAProxyCfgPath     = "/etc/haproxy/haproxy.cfg"
)

// virtualRouterID is the cluster's VRRP router id (1-255), the same on every master; derived from the
// cluster name so two swapboot clusters on one network differ (unless they collide by chance).
func virtualRouterID(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()%255) + 1
}

// loadBalancerStep renders the three files for master index i. The first master starts as VRRP MASTER
// with the higher priority, so the virtual IP is where init runs; a failing API server check lowers a
// master's priority by 2, below the others'.
func loadBalancerStep(c *cluster.Cluster, i int, f hostfacts.Facts) (Step, error) {
	h := c.Masters[i]
	cp := c.ControlPlane
	vip := netip.MustParseAddr(cp.Host) // checked by the loader: an IP with keepalived
	ka := templates.Keepalived{RouterID: hostfacts.NodeName(h, f), Instance: "swapboot_" + c.Name, State: "BACKUP", Interface: hostfacts.Interface(h, f),
		VirtualRouterID: virtualRouterID(c.Name), Priority: 100, Address: h.Address, VirtualIP: vip.String(), VirtualIPBits: vip.BitLen()}
	if ka.RouterID == "" {
		ka.RouterID = h.Address
	}
	if i == 0 {
		ka.State, ka.Priority = "MASTER", 101
	}
	hp := templates.HAProxy{Port: cp.Port, Bind: ":" + strconv.Itoa(cp.Port), APIServerPort: cluster.APIServerPort}
	if vip.Is6() {
		hp.Bind = ":::" + strconv.Itoa(cp.Port) + " v4v6"
	}
	for j, m := range c.Masters {
		if j != i {
			ka.Peers = append(ka.Peers, m.Address)
		}
		hp.Servers = append(hp.Servers, templates.HAProxyServer{Name: "master-" + strconv.Itoa(j+1), Endpoint: ownAPIServer(m)[len("https://"):]})
	}
	var k loadBalancerKind
	var err error
	if k.keepalived, err = ka.Render(); err != nil {
		return Step{}, err
	}
	if k.check, err = (templates.CheckAPIServer{HealthURL: ownAPIServer(h) + "/healthz"}).Render(); err != nil {
		return Step{}, err
	}
	if k.haproxy, err = hp.Render(); err != nil {
		return Step{}, err
	}
	s := newStep(k, "keepalived (virtual IP "+cp.Host+" on "+ka.Interface+", "+ka.State+", unicast peers) and haproxy (:"+strconv.Itoa(cp.Port)+" to every master's :6443)")
	s.Files = map[string]string{KeepalivedConfPath: k.keepalived, CheckAPIServerPath: k.check, HAProxyCfgPath: k.haproxy}
	return s, nil
}
