package plan

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/output"
	"github.com/swapboot/swapboot/templates"
)

// Display makes text safe and readable for people: secrets masked, run-time placeholders named.
func (p *Plan) Display(r *output.Redactor, s string) string {
	s = strings.ReplaceAll(s, placeholderHash, "<sha256 of the cluster CA, read from the master after init>")
	return r.Redact(s)
}

// writeHeader writes what every rendering of the plan starts with: the cluster, the version, what was
// assumed and the policy's choices with their reasons.
func (p *Plan) writeHeader(w io.Writer) {
	fmt.Fprintf(w, "# swapboot plan for cluster %q, Kubernetes %s\n", p.Cluster.Name, p.Policy.Version)
	for _, a := range p.Assumptions {
		fmt.Fprintf(w, "# assumed: %s\n", a)
	}
	for _, n := range append(append([]string(nil), p.Policy.Notes...), p.Notes...) {
		fmt.Fprintf(w, "# %s\n", n)
	}
	for _, l := range p.haHeader() {
		fmt.Fprintf(w, "# %s\n", l)
	}
}

// Print writes the plan: the choices and why, then per host every step with the exact script it runs
// (the same rendering the executor uses, with run-time values as named placeholders).
func (p *Plan) Print(w io.Writer, r *output.Redactor) error {
	p.writeHeader(w)
	common, err := templates.Common()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "#\n# Every script below starts with these shared functions:\n%s\n", common)
	for _, hp := range p.Hosts {
		fmt.Fprintf(w, "\n######## %s (%s) ########\n", hp.Host.ID(), hp.Host.Role)
		for _, s := range hp.Steps {
			fmt.Fprintf(w, "\n#### %s: %s\n", s.Phase, s.Summary)
			if s.Skip != "" {
				fmt.Fprintf(w, "# already done, will not run: %s\n", s.Skip)
				continue
			}
			script, _, err := p.shown(s)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", hp.Host.ID(), s.Phase, err)
			}
			fmt.Fprint(w, p.Display(r, strings.Replace(script, common, "# (shared functions)\n", 1)))
		}
	}
	return nil
}

// WriteFiles writes every rendered script and document under dir/<host>/ so they can be read, diffed or
// checked with `kubeadm config validate`. dir must be new, empty, or a folder swapboot wrote before (see
// OutManifest): only the files it wrote there are replaced.
func (p *Plan) WriteFiles(dir string, r *output.Redactor) error {
	if err := prepareOutDir(dir); err != nil {
		return err
	}
	w := &outWriter{dir: dir}
	for _, hp := range p.Hosts {
		hostDir := hp.Host.Address
		for i, s := range hp.Steps {
			script, secrets, err := p.shown(s)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", hp.Host.ID(), s.Phase, err)
			}
			name := fmt.Sprintf("%02d-%s-%s.sh", i+1, s.Phase, s.Template())
			if err := w.write(filepath.Join(hostDir, name), p.Display(r, script)); err != nil {
				return err
			}
			for path, content := range s.Files {
				if err := w.write(filepath.Join(hostDir, "files", filepath.Clean(path)), p.Display(r, mask(content, secrets))); err != nil {
					return err
				}
			}
		}
		if s := p.joinFile(hp); s != "" {
			if err := w.write(filepath.Join(hostDir, "files", "var/lib/swapboot/kubeadm-join.yaml"), p.Display(r, s)); err != nil {
				return err
			}
		}
	}
	return w.finish()
}

// shown is a step's script as people see it: rendered from the same typed call the executor runs, with
// run-time values as placeholders and, when the plan masks its secrets, every templates.Secret of the
// call masked. secrets are those values (nil when shown).
func (p *Plan) shown(s Step) (script string, secrets []string, err error) {
	call, err := s.Kind.Script(PlaceholderRuntime())
	if err != nil {
		return "", nil, err
	}
	if !p.MaskSecrets {
		script, err = templates.Render(call)
		return script, nil, err
	}
	script, err = templates.Display(call)
	return script, templates.Secrets(call), err
}

func mask(text string, secrets []string) string {
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, templates.RedactionMarker)
	}
	return text
}

// joinFile is the JoinConfiguration a worker's join step writes: the KubeadmConfig input of its typed
// call, rendered with the placeholder runtime, its token masked when the plan masks its secrets.
func (p *Plan) joinFile(hp HostPlan) string {
	for _, s := range hp.Steps {
		if _, ok := s.Kind.(joinKind); !ok {
			continue
		}
		call, err := s.Kind.Script(PlaceholderRuntime())
		join, ok := call.(templates.Join)
		if err != nil || !ok {
			return ""
		}
		if !p.MaskSecrets {
			return join.KubeadmConfig
		}
		return mask(join.KubeadmConfig, templates.Secrets(join))
	}
	return ""
}

func writeOut(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}
