package run

// `swapboot status` of a cluster with several masters: per master, its API server, its etcd member and
// whether the control-plane endpoint answers (templates/scripts/control-plane-health.sh).

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/sshexec"
	"github.com/swapboot/swapboot/templates"
)

// ControlPlaneStatus is one master's control-plane health.
type ControlPlaneStatus struct {
	APIServer   string `json:"apiServer"` // ready | not-ready | no-cluster
	Etcd        string `json:"etcd,omitempty"`
	Endpoint    string `json:"endpoint,omitempty"` // answers | no-answer
	EtcdMembers int    `json:"etcdMembers,omitempty"`
}

// controlPlaneStatus asks a master of a cluster with controlPlane: set; problems go to st.
func controlPlaneStatus(ctx context.Context, conn Conn, c *cluster.Cluster, h cluster.Host, st *NodeStatus) {
	if c.ControlPlane == nil || h.Role != cluster.RoleMaster {
		return
	}
	script, err := templates.Render(templates.ControlPlaneHealth{APIServer: "https://" + net.JoinHostPort(h.Address, strconv.Itoa(cluster.APIServerPort))})
	if err != nil {
		st.Problems = append(st.Problems, "control plane: "+err.Error())
		return
	}
	res, err := conn.Run(ctx, sshexec.Cmd{Script: script})
	if err != nil {
		st.Problems = append(st.Problems, "control plane: "+err.Error())
		return
	}
	cp := parseControlPlaneHealth(string(res.Stdout))
	st.ControlPlane = &cp
	switch {
	case cp.APIServer == "no-cluster":
		return // the readiness check already says there is no cluster here
	case cp.APIServer != "ready":
		st.Problems = append(st.Problems, "control plane: its API server is not ready")
	}
	if cp.Etcd != "healthy" {
		st.Problems = append(st.Problems, "control plane: its etcd member is not healthy")
	}
	if cp.Endpoint != "answers" {
		st.Problems = append(st.Problems, "control plane: the endpoint "+c.ControlPlane.Endpoint+" does not answer from here")
	}
}

func parseControlPlaneHealth(out string) ControlPlaneStatus {
	var cp ControlPlaneStatus
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "@swapboot fact "), "=")
		if !ok || !strings.HasPrefix(line, "@swapboot fact ") {
			continue
		}
		switch k {
		case "apiserver":
			cp.APIServer = v
		case "etcd":
			cp.Etcd = v
		case "endpoint":
			cp.Endpoint = v
		case "etcd_members":
			cp.EtcdMembers, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return cp
}

// printControlPlaneTable: one line per master, under the node table (clusters with controlPlane: only).
func printControlPlaneTable(w io.Writer, c *cluster.Cluster, statuses []NodeStatus) {
	if c.ControlPlane == nil {
		return
	}
	fmt.Fprintf(w, "\ncontrol-plane endpoint %s (loadBalancer: %s)\n", c.ControlPlane.Endpoint, c.ControlPlane.LoadBalancer)
	for _, s := range statuses {
		if s.Role != cluster.RoleMaster {
			continue
		}
		if s.ControlPlane == nil {
			fmt.Fprintf(w, "  %s: unknown\n", s.Host)
			continue
		}
		cp := s.ControlPlane
		fmt.Fprintf(w, "  %s: API server %s, etcd member %s (%d members), endpoint %s\n", s.Host, orDash(cp.APIServer), orDash(cp.Etcd), cp.EtcdMembers, orDash(cp.Endpoint))
	}
}
