//go:build tools

// Package tools pins the coredns command that build.sh compiles. CoreDNS is
// its own module so that it builds with the dependency versions CoreDNS
// v1.14.6 pins, and so that it does not move any version kubeadm uses.
package tools

import (
	_ "github.com/coredns/coredns"
)
