package lab

import (
	"fmt"
	"strings"
)

// ClusterFile renders the cluster.yaml that swapboot reads.
func ClusterFile(st *State, p Paths) string {
	var masters, workers []string
	for _, h := range st.Hosts {
		switch h.Role {
		case "master":
			masters = append(masters, h.IP)
		case "worker":
			workers = append(workers, h.IP)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\n", st.Name)
	fmt.Fprintf(&b, "ssh: {user: root, port: 22, keyFile: %s, knownHosts: %s}\n", p.Key(), p.KnownHosts())
	fmt.Fprintf(&b, "masters: [%s]\n", strings.Join(masters, ", "))
	fmt.Fprintf(&b, "workers: [%s]\n", strings.Join(workers, ", "))
	if st.Endpoint != "" {
		fmt.Fprintf(&b, "controlPlane: {endpoint: %s, loadBalancer: %s}\n", st.Endpoint, st.LoadBalancer)
	}
	if st.StaticPodNetwork {
		// The lab's own pod network is the CNI: swapboot installs none.
		fmt.Fprintf(&b, "networking: {podSubnet: %s, serviceSubnet: %s, cni: {plugin: none}}\n", PodSubnet, ServiceSubnet)
	} else {
		fmt.Fprintf(&b, "networking: {podSubnet: %s, serviceSubnet: %s}\n", PodSubnet, ServiceSubnet)
	}
	b.WriteString("swap: {size: 256M, path: /swapfile, behavior: auto}\n")
	b.WriteString("kubelet: {cgroupDriver: cgroupfs, failCgroupV1: false}\n")
	b.WriteString("kubeProxy: {conntrack: {maxPerCore: 0}}\n")
	b.WriteString("nodeRegistration: {criSocket: unix:///run/containerd/containerd.sock, imagePullPolicy: Never, ignorePreflightErrors: [SystemVerification]}\n")
	return b.String()
}
