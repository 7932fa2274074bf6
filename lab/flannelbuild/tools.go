//go:build tools

// Package tools pins flanneld (the main package of github.com/flannel-io/flannel) so that `go mod tidy`
// records all of its dependencies in go.sum. memhog is a package of this module (cmd/); the CNI plugin
// is the cniplugin/ module.
package tools

import (
	_ "github.com/flannel-io/flannel"
)
