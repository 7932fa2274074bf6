// Package testkit holds the fixtures the tests of several bootstrap packages share.
package testkit

import "github.com/swapboot/swapboot/bootstrap/cluster"

// Token is the bootstrap token of the test plans (kubeadm's documentation example).
const Token = "abcdef.0123456789abcdef"

// FixedToken is a PlanOptions.NewToken that always returns Token.
func FixedToken() (string, error) { return Token, nil }

// Cluster is a master and two workers, as Load would return them.
func Cluster() *cluster.Cluster {
	ssh := cluster.SSH{User: "root", Port: 22, KeyFile: "/root/.ssh/id_ed25519", KnownHosts: "/root/.ssh/known_hosts"}
	return &cluster.Cluster{
		File:    "cluster.yaml",
		Name:    "lab",
		Masters: []cluster.Host{{Address: "192.168.122.50", Role: cluster.RoleMaster, SSH: ssh, Line: 4}},
		Workers: []cluster.Host{
			{Address: "192.168.122.51", Role: cluster.RoleWorker, SSH: ssh, Line: 6},
			{Address: "192.168.122.52", Name: "worker2", Role: cluster.RoleWorker, SSH: ssh, Line: 7},
		},
		Networking: cluster.Networking{PodSubnet: "10.244.0.0/16", ServiceSubnet: "10.96.0.0/12", CNI: cluster.CNI{Plugin: cluster.CNIFlannel, Backend: cluster.BackendVXLAN}},
		Swap:       cluster.Swap{SizeBytes: 1 << 30, Path: "/swapfile", Behavior: cluster.SwapAuto, Nodes: cluster.SwapNodesAll, Label: true, ProtectSystemDaemons: true},
	}
}
