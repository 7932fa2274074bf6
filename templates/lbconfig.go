package templates

// The configuration files of loadBalancer: keepalived (files/*.tmpl), rendered from typed values and
// written by scripts/load-balancer.sh. They follow kubeadm's high-availability guide: a VRRP instance for
// the endpoint's virtual IP with a check of the local API server, and haproxy on the endpoint's port in
// front of every master's API server.

import (
	"bytes"
	"embed"
	"text/template"
)

//go:embed files/*.tmpl
var files embed.FS

// Keepalived is /etc/keepalived/keepalived.conf of one master.
type Keepalived struct {
	RouterID        string // names this host in keepalived's log (the node name)
	Instance        string // the VRRP instance's name
	State           string // MASTER on the first master, BACKUP on the others
	Interface       string // the interface holding Address
	VirtualRouterID int    // 1-255, the same on every master of the cluster
	Priority        int
	Address         string   // this master's address: the unicast source
	Peers           []string // the other masters' addresses
	VirtualIP       string
	VirtualIPBits   int // 32 (IPv4) or 128 (IPv6): the address alone
}

// CheckAPIServer is /etc/keepalived/check_apiserver.sh.
type CheckAPIServer struct {
	HealthURL string // the local API server's /healthz
}

// HAProxy is /etc/haproxy/haproxy.cfg of every master.
type HAProxy struct {
	Port          int    // the endpoint's port
	Bind          string // haproxy's bind address, e.g. :8443
	APIServerPort int
	Servers       []HAProxyServer
}

// HAProxyServer is one master's API server.
type HAProxyServer struct {
	Name     string
	Endpoint string // address:6443 ([v6]:6443)
}

func (k Keepalived) Render() (string, error)     { return renderFile("keepalived.conf", k) }
func (c CheckAPIServer) Render() (string, error) { return renderFile("check_apiserver.sh", c) }
func (h HAProxy) Render() (string, error)        { return renderFile("haproxy.cfg", h) }

func renderFile(name string, data any) (string, error) {
	t, err := template.New(name+".tmpl").Option("missingkey=error").ParseFS(files, "files/"+name+".tmpl")
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
