// Package examples embeds the annotated sample cluster file, which `swapboot init` prints.
package examples

import _ "embed"

// ClusterYAML is examples/cluster.yaml.
//
//go:embed cluster.yaml
var ClusterYAML string
