package plan

import (
	"errors"
	"fmt"
	"io"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
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
	// Rendering is how the plan is printed: the summary (default), every script (--scripts) or JSON.
	Rendering Rendering
}

// exampleToken is kubeadm's documentation example: offline plans show a valid token that is obviously not
// a real one, so `kubeadm config validate` accepts the written files.
const exampleToken = "abcdef.0123456789abcdef"

// exampleCertificateKey stands for the certificate key of a cluster with several masters in offline
// plans: obviously not a real one (a real run makes a fresh random key and never shows it).
const exampleCertificateKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// PlanOffline prints (and optionally writes) the plan for assumed hosts.
func PlanOffline(o PlanOfflineOptions) error {
	// The flag's version goes through the loader: the same parser and the same version-dependent checks
	// as the file's kubernetesVersion, which it replaces.
	c, err := cluster.LoadWith(o.ClusterFile, cluster.Options{Data: o.ClusterData,
		KubernetesVersion: o.Assume.KubernetesVersion, VersionFrom: "--kubernetes-version"})
	if err != nil {
		return err
	}
	if c.KubernetesVersion == "" {
		return exit.WithCode(exit.BadInput, errors.New("--kubernetes-version is required when the cluster file has no kubernetesVersion"))
	}
	if !o.Rendering.JSON {
		for _, w := range c.Warnings {
			fmt.Fprintln(o.Out, "# warning: "+w)
		}
	}
	// The assumed version is the hosts' kubeadm and what init deploys.
	o.Assume.KubernetesVersion = c.KubernetesVersion
	facts, notes := hostfacts.AssumedFacts(c, o.Assume)
	plan, err := BuildPlan(c, facts, PlanOptions{NewToken: func() (string, error) { return exampleToken, nil },
		NewCertificateKey: func() (string, error) { return exampleCertificateKey, nil }})
	if err != nil {
		return err
	}
	plan.Assumptions = notes
	none := output.NewRedactor()
	if err := plan.Write(o.Out, none, o.Rendering); err != nil {
		return err
	}
	if o.OutDir != "" {
		return plan.WriteFiles(o.OutDir, none)
	}
	return nil
}
