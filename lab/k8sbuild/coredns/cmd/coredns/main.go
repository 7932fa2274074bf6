// Command coredns is CoreDNS with the plugins a kubeadm cluster's Corefile
// uses (kubeadm's default: errors, health, ready, kubernetes, prometheus,
// forward, cache, loop, reload, loadbalance) plus the few that people add to
// it most (log, hosts, rewrite, template, whoami, debug). It is how CoreDNS
// documents building with fewer plugins (a smaller plugin.cfg); leaving out
// the cloud DNS back-ends (Azure, Route 53, Cloud DNS) and their SDKs saves
// most of CoreDNS's build time. The binary is otherwise upstream CoreDNS.
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/debug"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/rewrite"
	_ "github.com/coredns/coredns/plugin/template"
	_ "github.com/coredns/coredns/plugin/whoami"
)

func main() { coremain.Run() }
