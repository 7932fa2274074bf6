//go:build tools

// Package tools pins the flannel CNI plugin (plugins/meta/flannel of containernetworking/plugins v0.9.1,
// the last release that carried it) so that `go mod tidy` records its dependencies in go.sum. It is its
// own module because flanneld's module requires containernetworking/plugins v1.9.1, which no longer has
// the flannel plugin.
package tools

import (
	_ "github.com/containernetworking/plugins/plugins/meta/flannel"
)
