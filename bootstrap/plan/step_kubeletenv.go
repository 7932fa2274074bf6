package plan

import (
	"fmt"

	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/templates"
)

// kubeletEnvKind writes the kubelet's environment file (KUBELET_EXTRA_ARGS) below Kubernetes 1.22
// (templates/scripts/kubelet-env.sh).
type kubeletEnvKind struct {
	showsKubeletLog
	file, content string
}

func (kubeletEnvKind) Phase() Phase   { return PhaseKubelet }
func (kubeletEnvKind) Column() Column { return KubeletColumn() }
func (k kubeletEnvKind) Script(Runtime) (templates.Script, error) {
	return templates.KubeletEnv{EnvFile: k.file, Content: k.content}, nil
}

// kubeletEnvStep writes content to the host's env file; skipped when the file already holds it.
func kubeletEnvStep(f hostfacts.Facts, content, summary, skip string) Step {
	s := newStep(kubeletEnvKind{file: f.KubeletEnvFile, content: content}, summary)
	s.Files = map[string]string{f.KubeletEnvFile: content}
	if f.KubeletEnvExists && content == f.KubeletEnvContent {
		s.Skip = skip
	}
	return s
}

// upKubeletEnvStep adds --fail-swap-on=false and nodeRegistration.kubeletExtraArgs (up, legacy clusters,
// where no kubeadm document carries the extra arguments).
func upKubeletEnvStep(f hostfacts.Facts, extra map[string]string) (Step, error) {
	if f.KubeletEnvFile == "" {
		return Step{}, &hostfacts.FactsError{Problems: []hostfacts.HostProblem{{Host: f.Hostname,
			Problem: "the kubelet's 10-kubeadm.conf drop-in (or its EnvironmentFile for KUBELET_EXTRA_ARGS) was not found",
			Fix:     "install the kubeadm package, which ships the drop-in"}}}
	}
	merged, err := MergeKubeletArgs(f.KubeletEnvContent, extra)
	if err != nil {
		return Step{}, fmt.Errorf("%s: %w", f.KubeletEnvFile, err)
	}
	what := "--fail-swap-on=false"
	if len(extra) > 0 {
		what = "nodeRegistration.kubeletExtraArgs and " + what
	}
	return kubeletEnvStep(f, merged, what+" in KUBELET_EXTRA_ARGS of "+f.KubeletEnvFile+", systemctl daemon-reload",
		f.KubeletEnvFile+" already has "+what), nil
}
