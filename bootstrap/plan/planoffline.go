package plan

import (
	"errors"
	"io"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/output"
)

// PlanOfflineOptions configure `swapboot plan`.
type PlanOfflineOptions struct {
	// ClusterFile is the cluster file's path, or its name in messages when ClusterData holds its
	// contents (read from stdin: "<stdin>").
	ClusterFile string
	ClusterData []byte
	Assume      hostfacts.Assumptions
	OutDir      string
	Out         io.Writer
}

// exampleToken is kubeadm's documentation example: offline plans show a valid token that is obviously not
// a real one, so `kubeadm config validate` accepts the written files.
const exampleToken = "abcdef.0123456789abcdef"

// PlanOffline prints (and optionally writes) the plan for assumed hosts.
func PlanOffline(o PlanOfflineOptions) error {
	c, err := cluster.LoadFrom(o.ClusterFile, o.ClusterData)
	if err != nil {
		return err
	}
	if o.Assume.KubernetesVersion == "" {
		o.Assume.KubernetesVersion = c.KubernetesVersion
	}
	if o.Assume.KubernetesVersion == "" {
		return errors.New("--kubernetes-version is required when the cluster file has no kubernetesVersion")
	}
	v, err := ParseVersion(o.Assume.KubernetesVersion)
	if err != nil {
		return err
	}
	o.Assume.KubernetesVersion = "v" + v.String()
	// The assumed version is the hosts' kubeadm and what init deploys.
	c.KubernetesVersion = o.Assume.KubernetesVersion
	facts, notes := hostfacts.AssumedFacts(c, o.Assume)
	plan, err := BuildPlan(c, facts, PlanOptions{NewToken: func() (string, error) { return exampleToken, nil }})
	if err != nil {
		return err
	}
	plan.Assumptions = notes
	none := output.NewRedactor()
	if err := plan.Print(o.Out, none); err != nil {
		return err
	}
	if o.OutDir != "" {
		return plan.WriteFiles(o.OutDir, none)
	}
	return nil
}
