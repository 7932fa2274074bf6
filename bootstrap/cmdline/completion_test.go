package cmdline

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/swapboot/swapboot/bootstrap/versions"
)

func completionApp() *cli.App {
	app := testApp()
	app.Commands = append(app.Commands, &cli.Command{Name: "completion", ArgsUsage: "bash|zsh|fish"})
	app.Commands[0].ArgsUsage = "CLUSTER_FILE"
	app.Commands[1].Flags[0].(*cli.StringFlag).Usage = "table or json (it's a format)"
	return app
}

func script(t *testing.T, shell string) string {
	t.Helper()
	var b strings.Builder
	if err := Completion(&b, completionApp(), shell, FlagValues{"output": {"table", "json"}}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func bashPath(t *testing.T) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	return bash
}

func TestBashCompletionParsesAndRegisters(t *testing.T) {
	bash := bashPath(t)
	file := filepath.Join(t.TempDir(), "swapboot.bash")
	if err := os.WriteFile(file, []byte(script(t, "bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", file).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	out, err := exec.Command(bash, "-c", "source "+file+" && complete -p swapboot").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "complete -F _swapboot swapboot" {
		t.Fatalf("complete -p swapboot: %v\n%s", err, out)
	}
}

// TestBashCompletionOffers runs the completion function the way bash does on <TAB>.
func TestBashCompletionOffers(t *testing.T) {
	bash := bashPath(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "swapboot.bash")
	if err := os.WriteFile(file, []byte(script(t, "bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cluster.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]string{
		"swapboot st":                       "status",
		"swapboot ":                         "up status kubeconfig swap completion help",
		"swapboot swap ":                    "enable disable",
		"swapboot swap enable --n":          "--node",
		"swapboot up --dr":                  "--dry-run",
		"swapboot up --ver":                 "--verbose",
		"swapboot status -o ":               "table json",
		"swapboot --verbose status c -o j":  "json",
		"swapboot up --parallel ":           "",
		"swapboot up --parallel 3 cl":       "cluster.yaml",
		"swapboot completion ":              "bash zsh fish",
		"swapboot kubeconfig --f":           "--file",
		"swapboot swap disable x.yaml --y":  "--yes",
		"swapboot up --exclude w1 --exclud": "--exclude",
	} {
		words := strings.Fields(line)
		if strings.HasSuffix(line, " ") {
			words = append(words, "")
		}
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+w+"'")
		}
		prog := "cd " + dir + " && source " + file + " && COMP_WORDS=(" + strings.Join(quoted, " ") + ") && COMP_CWORD=" +
			strconv.Itoa(len(words)-1) + " && _swapboot && echo \"${COMPREPLY[*]}\""
		out, err := exec.Command(bash, "-c", prog).CombinedOutput()
		if err != nil {
			t.Errorf("%q: %v\n%s", line, err, out)
			continue
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%q: offers %q, want %q", line, got, want)
		}
	}
}

func TestZshAndFishCompletion(t *testing.T) {
	zsh := script(t, "zsh")
	for _, want := range []string{"#compdef swapboot", "compdef _swapboot swapboot", "('status|--output'|'status|-o') compadd -- table json", "('swap|enable') cmd='swap enable'"} {
		if !strings.Contains(zsh, want) {
			t.Errorf("zsh script lacks %q", want)
		}
	}
	fish := script(t, "fish")
	for _, want := range []string{
		"complete -c swapboot -n '__fish_use_subcommand' -a status",
		"complete -c swapboot -n '__fish_seen_subcommand_from status' -l output -s o -x -a 'table json' -d 'table or json (it\\'s a format)'",
		"complete -c swapboot -n '__fish_seen_subcommand_from swap; and not __fish_seen_subcommand_from enable disable' -a enable",
	} {
		if !strings.Contains(fish, want) {
			t.Errorf("fish script lacks %q\n%s", want, fish)
		}
	}
	for _, shell := range []string{"zsh", "fish"} {
		if path, err := exec.LookPath(shell); err == nil {
			f := filepath.Join(t.TempDir(), "s")
			os.WriteFile(f, []byte(script(t, shell)), 0o644)
			if out, err := exec.Command(path, "-n", f).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
		}
	}
	var b strings.Builder
	wantUsage(t, "bad shell", Completion(&b, completionApp(), "bsh", nil), `no completion for shell "bsh"; did you mean bash?`)
}

func TestVersionText(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}
	got := VersionText("swapboot", "v0.3.0", "", info)
	for _, want := range []string{"swapboot v0.3.0\n", "commit: abc123 (with uncommitted changes)\n", "go: go1.26.8 ", "kubernetes: " + versions.Range() + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("version text lacks %q:\n%s", want, got)
		}
	}
	if got := VersionText("swapboot", "dev", "def456", nil); !strings.Contains(got, "commit: def456\n") {
		t.Errorf("linked commit not used:\n%s", got)
	}
}
