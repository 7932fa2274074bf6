//go:build tools

// Package tools pins every Kubernetes command that build.sh compiles, so
// that `go mod tidy` records all of their dependencies in go.sum. etcd and
// pause are packages of this module (cmd/); CoreDNS is the coredns/ module.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubeadm"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
