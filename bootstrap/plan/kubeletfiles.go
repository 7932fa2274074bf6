package plan

import (
	"strings"

	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

// KubeletFiles names the kubelet files the facts found on a host: the kubeadm drop-in the kubelet unit
// uses, the env file it reads KUBELET_EXTRA_ARGS from, and the arguments of that file swapboot keeps (all
// but its own --fail-swap-on). plan, --dry-run and status -o json show them.
type KubeletFiles struct {
	DropIn        string   `json:"dropIn,omitempty"`
	EnvFile       string   `json:"envFile,omitempty"`
	EnvFileExists bool     `json:"envFileExists"`
	KeptArgs      []string `json:"keptArgs"`
}

// KubeletFilesOf reads the host's kubelet files from its facts.
func KubeletFilesOf(f hostfacts.Facts) KubeletFiles {
	return KubeletFiles{DropIn: f.KubeletDropIn, EnvFile: f.KubeletEnvFile, EnvFileExists: f.KubeletEnvExists,
		KeptArgs: KeptExtraArgs(f.KubeletEnvContent)}
}

// KeptExtraArgs is the arguments of the env file's effective (last) KUBELET_EXTRA_ARGS assignment that
// swapboot leaves as they are: every one but --fail-swap-on. Never nil.
func KeptExtraArgs(content string) []string {
	value := ""
	for _, line := range strings.Split(content, "\n") {
		if key, v, ok := envAssignment(line); ok && key == extraArgsKey {
			value = v
		}
	}
	if n := len(value); n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n-1] == value[0] {
		value = value[1 : n-1]
	}
	kept := []string{}
	for _, arg := range strings.Fields(value) {
		if arg == "--"+failSwapOff.name || strings.HasPrefix(arg, "--"+failSwapOff.name+"=") {
			continue
		}
		kept = append(kept, arg)
	}
	return kept
}

// String is the summary's wording: "drop-in D, env file E (kept: a b)".
func (k KubeletFiles) String() string {
	dropIn, env := k.DropIn, k.EnvFile
	if dropIn == "" {
		dropIn = "none found"
	}
	switch {
	case env == "":
		env = "none"
	case !k.EnvFileExists:
		env += " (absent: swapboot creates it)"
	case len(k.KeptArgs) == 0:
		env += " (no arguments of its own)"
	default:
		env += " (arguments kept: " + strings.Join(k.KeptArgs, " ") + ")"
	}
	return "kubelet drop-in " + dropIn + ", env file " + env
}
