package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/templates"
)

// Rendering chooses how a plan is written. `swapboot plan` and every --dry-run write the plan through
// Plan.Write with one of these: the summary (default), every script in full (--scripts) or JSON (-o json).
// All three are renderings of the same Plan, the one the executor runs.
type Rendering struct {
	// Scripts prints every script body in full (the text form) or adds each step's rendered script (JSON).
	Scripts bool
	// JSON writes the plan as JSON (PlanJSON, PlanSchemaVersion).
	JSON bool
}

// Write is the one entry point that prints a plan, in the rendering asked for.
func (p *Plan) Write(w io.Writer, r *output.Redactor, how Rendering) error {
	switch {
	case how.JSON:
		return p.PrintJSON(w, r, how.Scripts)
	case how.Scripts:
		return p.Print(w, r)
	default:
		return p.PrintSummary(w, r)
	}
}

// Placeholder texts: values that exist only at run time, or are never shown, are marked as such in the
// summary and the JSON.
const (
	PlaceholderCAHash = "<placeholder: sha256 of the cluster CA, read from the master after init>"
	PlaceholderSecret = "<placeholder: secret made at run time (bootstrap token), never shown>"
)

// marked replaces run-time values with their placeholders and masks what the redactor knows.
func (p *Plan) marked(r *output.Redactor, s string) string {
	s = strings.ReplaceAll(s, placeholderHash, PlaceholderCAHash)
	s = strings.ReplaceAll(s, templates.RedactionMarker, PlaceholderSecret)
	return r.Redact(s)
}

// hostStage is one host's steps in one stage, in the order the executor runs them.
func hostStage(hp HostPlan, st Stage) []Step {
	if !st.ForRole(hp.Host.Role) {
		return nil
	}
	var steps []Step
	for _, ph := range st.Phases {
		for _, s := range hp.Steps {
			if s.Phase == ph {
				steps = append(steps, s)
			}
		}
	}
	return steps
}

// stepView is what the summary and the JSON show of one step: computed once, from the step's typed call
// with the placeholder runtime (the executor renders the same call with the real one).
type stepView struct {
	Phase     Phase                  `json:"phase"`
	Summary   string                 `json:"summary"`
	Skip      string                 `json:"skip,omitempty"`
	Script    string                 `json:"script"`
	Changes   []string               `json:"changes"`
	Inputs    []templates.ShownInput `json:"inputs"`
	Documents map[string]string      `json:"documents,omitempty"`
	Rendered  string                 `json:"rendered,omitempty"`
}

func (p *Plan) view(hp HostPlan, s Step, r *output.Redactor, withScript bool) (stepView, error) {
	call, err := s.Kind.Script(PlaceholderRuntime())
	if err != nil {
		return stepView{}, fmt.Errorf("%s: %s: %w", hp.Host.ID(), s.Phase, err)
	}
	secrets := templates.Secrets(call)
	v := stepView{Phase: s.Phase, Summary: p.marked(r, mask(s.Summary, secrets)), Skip: s.Skip, Script: call.Name() + ".sh", Changes: []string{}}
	for _, c := range templates.Effects(call) {
		v.Changes = append(v.Changes, p.marked(r, mask(c, secrets)))
	}
	for _, in := range templates.DisplayInputs(call) {
		in.Value = p.marked(r, in.Value)
		v.Inputs = append(v.Inputs, in)
	}
	docs := map[string]string{}
	for path, content := range s.Files {
		docs[path] = p.marked(r, mask(content, secrets))
	}
	if j, ok := call.(templates.Join); ok && j.KubeadmConfig != "" {
		docs["/var/lib/swapboot/kubeadm-join.yaml"] = p.marked(r, mask(j.KubeadmConfig, secrets))
	}
	if j, ok := call.(templates.JoinControlPlane); ok {
		docs["/var/lib/swapboot/kubeadm-join.yaml"] = p.marked(r, mask(j.KubeadmConfig, secrets))
	}
	if len(docs) > 0 {
		v.Documents = docs
	}
	if withScript {
		script, err := templates.Display(call)
		if err != nil {
			return stepView{}, fmt.Errorf("%s: %s: %w", hp.Host.ID(), s.Phase, err)
		}
		v.Rendered = p.marked(r, script)
	}
	return v, nil
}

// PrintSummary writes the readable plan: per stage and host, each step, what it changes and its key
// inputs (documents by name and size), run-time values marked as placeholders, secrets masked.
func (p *Plan) PrintSummary(w io.Writer, r *output.Redactor) error {
	p.writeHeader(w)
	for _, hp := range p.Hosts {
		fmt.Fprintf(w, "# %s: %s\n", hp.Host.ID(), r.Redact(KubeletFilesOf(hp.Facts).String()))
	}
	fmt.Fprintln(w, "# Summary of each step; --scripts prints every script in full, -o json the plan as JSON.")
	for i, st := range p.Stages {
		var hosts []HostPlan
		for _, hp := range p.Hosts {
			if len(hostStage(hp, st)) > 0 {
				hosts = append(hosts, hp)
			}
		}
		if len(hosts) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n== stage %d: %s (%s)\n", i+1, phaseList(st.Phases), stageMode(st))
		for _, hp := range hosts {
			fmt.Fprintf(w, "  %s (%s)\n", hp.Host.ID(), hp.Host.Role)
			for _, s := range hostStage(hp, st) {
				v, err := p.view(hp, s, r, false)
				if err != nil {
					return err
				}
				printStepSummary(w, v)
			}
		}
	}
	return nil
}

func printStepSummary(w io.Writer, v stepView) {
	fmt.Fprintf(w, "    %s: %s  [%s]\n", v.Phase, v.Summary, v.Script)
	if v.Skip != "" {
		fmt.Fprintf(w, "      already done, will not run: %s\n", v.Skip)
		return
	}
	for _, c := range v.Changes {
		fmt.Fprintf(w, "      changes: %s\n", c)
	}
	for _, in := range v.Inputs {
		lines := strings.Split(strings.TrimSuffix(in.Value, "\n"), "\n")
		switch {
		case in.Value == "" || isDocument(v.Documents, in.Value):
			continue // a document is shown as such below
		case len(lines) == 1:
			fmt.Fprintf(w, "      input %s=%s\n", in.Name, lines[0])
		case len(lines) > 1 && inAChange(v.Changes, strings.Join(lines, " ")):
			continue // a command line in the changes above already shows these arguments
		case flagList(lines):
			fmt.Fprintf(w, "      input %s: %s\n", in.Name, strings.Join(lines, " "))
		default:
			fmt.Fprintf(w, "      input %s: %s\n", in.Name, docSummary(lines))
		}
	}
	paths := make([]string, 0, len(v.Documents))
	for path := range v.Documents {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		fmt.Fprintf(w, "      document %s: %s\n", path, docSummary(strings.Split(strings.TrimSuffix(v.Documents[path], "\n"), "\n")))
	}
}

func isDocument(docs map[string]string, value string) bool {
	for _, d := range docs {
		if d == value {
			return true
		}
	}
	return false
}

func inAChange(changes []string, text string) bool {
	for _, c := range changes {
		if strings.Contains(c, text) {
			return true
		}
	}
	return false
}

// flagList is a multi-line input that is command-line flags, one per line (kubeadm's on the legacy path).
func flagList(lines []string) bool {
	for _, l := range lines {
		if !strings.HasPrefix(l, "-") {
			return false
		}
	}
	return true
}

// docSummary is a document in one line: its size and its key lines (API and Kubernetes versions, swap and cgroup
// settings, placeholders); --scripts and -o json show it whole.
func docSummary(lines []string) string {
	var key []string
	seen := map[string]bool{}
	for _, l := range lines {
		t := strings.TrimSpace(l)
		low := strings.ToLower(t)
		if seen[t] || !(strings.HasPrefix(t, "apiVersion:") || strings.HasPrefix(t, "kubernetesVersion:") || strings.Contains(low, "swap") || strings.Contains(low, "cgroup") || strings.Contains(t, "<placeholder")) {
			continue
		}
		seen[t] = true
		key = append(key, t)
	}
	s := "1 line"
	if len(lines) != 1 {
		s = fmt.Sprintf("%d lines", len(lines))
	}
	if len(key) > 0 {
		s += "; " + strings.Join(key, "; ")
	}
	return s
}

func phaseList(ps []Phase) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

func stageMode(st Stage) string {
	switch {
	case st.Serial && st.StopOnFailure:
		return "one host at a time, stops at the first failure"
	case st.Serial:
		return "one host at a time"
	default:
		return "hosts in parallel"
	}
}

// PlanSchemaVersion is the version of the plan's JSON (PlanJSON). It changes only when a field changes
// meaning or is removed; new fields keep it.
const PlanSchemaVersion = 1

// PlanJSON is `swapboot plan -o json` and `--dry-run -o json`.
type PlanJSON struct {
	SchemaVersion     int         `json:"schemaVersion"`
	Command           string      `json:"command"`
	Cluster           string      `json:"cluster"`
	KubernetesVersion string      `json:"kubernetesVersion"`
	Assumptions       []string    `json:"assumptions,omitempty"`
	Notes             []string    `json:"notes,omitempty"`
	Stages            []StageJSON `json:"stages"`
	Hosts             []HostJSON  `json:"hosts"`
}

// StageJSON is one stage: its phases and how its hosts run.
type StageJSON struct {
	Phases        []Phase  `json:"phases"`
	Serial        bool     `json:"serial"`
	StopOnFailure bool     `json:"stopOnFailure"`
	Roles         []string `json:"roles,omitempty"`
}

// HostJSON is one host's steps in the order they run.
type HostJSON struct {
	Host    string     `json:"host"`
	Address string     `json:"address"`
	Role    string     `json:"role"`
	Steps   []stepView `json:"steps"`
	// KubeletFiles are the kubelet files the host's facts found (assumed ones in an offline plan).
	KubeletFiles KubeletFiles `json:"kubeletFiles"`
}

// PrintJSON writes the plan as PlanJSON; withScripts adds each step's rendered script ("rendered").
// Secrets are always masked, in inputs, documents and scripts; run-time values are placeholders.
func (p *Plan) PrintJSON(w io.Writer, r *output.Redactor, withScripts bool) error {
	out := PlanJSON{SchemaVersion: PlanSchemaVersion, Command: p.Command, Cluster: p.Cluster.Name,
		KubernetesVersion: p.Policy.Version, Assumptions: p.Assumptions, Notes: append(append([]string(nil), p.Policy.Notes...), p.Notes...),
		Stages: []StageJSON{}, Hosts: []HostJSON{}}
	for _, st := range p.Stages {
		sj := StageJSON{Phases: st.Phases, Serial: st.Serial, StopOnFailure: st.StopOnFailure}
		for _, role := range st.Roles {
			sj.Roles = append(sj.Roles, string(role))
		}
		out.Stages = append(out.Stages, sj)
	}
	for _, hp := range p.Hosts {
		hj := HostJSON{Host: hp.Host.ID(), Address: hp.Host.Address, Role: string(hp.Host.Role), Steps: []stepView{},
			KubeletFiles: KubeletFilesOf(hp.Facts)}
		for i, a := range hj.KubeletFiles.KeptArgs {
			hj.KubeletFiles.KeptArgs[i] = r.Redact(a)
		}
		for _, s := range hp.Steps {
			v, err := p.view(hp, s, r, withScripts)
			if err != nil {
				return err
			}
			hj.Steps = append(hj.Steps, v)
		}
		out.Hosts = append(out.Hosts, hj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
