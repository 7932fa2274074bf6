package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// The tests below cover the command-line surface (issue 11): flags anywhere on the line, flag checks
// before any host is contacted, per-command flags, confirmation, completion, --version, the cluster
// file from stdin or ./cluster.yaml, and the exit-code classes. Host commands are run on 127.0.0.1
// port 1 with --timeout 1ns or a refused flag, so no host is ever reached.

// hostCluster writes a cluster file whose one master is 127.0.0.1:1 (nothing listens there) with a
// real key file, so connecting fails at the TCP connect, not before.
func hostCluster(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("SSH_AUTH_SOCK", "")
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "id_ed25519")
	file := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	text := "name: lab\nmasters: [127.0.0.1]\nworkers: [127.0.0.2]\nssh: {port: 1, keyFile: " + key + ", knownHosts: " + filepath.Join(dir, "known_hosts") + "}\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// runIn runs the CLI with the given stdin and terminal flag.
func runIn(t *testing.T, ctx context.Context, stdin string, terminal bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	code := run(ctx, append([]string{"swapboot"}, args...), streams{in: strings.NewReader(stdin), out: &out, err: &errOut, terminal: terminal})
	return code, out.String(), errOut.String()
}

// messages are the "swapboot: ..." lines of stderr (debug lines carry timestamps and are left out).
func messages(stderr string) []string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "swapboot:") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestFlagsBeforeAndAfterTheFile runs every command with its flags before the file, after it, after
// "--"-less mixes, and with the global --verbose after the command, and wants the same result.
func TestFlagsBeforeAndAfterTheFile(t *testing.T) {
	file := hostCluster(t)
	kube := filepath.Join(t.TempDir(), "k")
	for _, tc := range []struct {
		cmd   []string
		flags []string
		file  string
		code  int
	}{
		{[]string{"plan"}, []string{"--kubernetes-version", "v1.30.4", "--cgroup", "v1"}, "examples/cluster.yaml", 0},
		{[]string{"plan"}, []string{"--kubernetes-version=v1.21.0", "--old-deb-layout"}, "examples/minimal.yaml", 0}, // the annotated example sets kubelet:, which 1.21 refuses,
		{[]string{"plan"}, []string{"--cgroup", "v3"}, "examples/cluster.yaml", 2},
		{[]string{"init"}, []string{"--masters", "10.0.0.1", "--workers", "10.0.0.2,10.0.0.3"}, "", 0},
		{[]string{"up"}, []string{"--dry-run", "--parallel", "3", "--exclude", "127.0.0.2", "--timeout", "1ns"}, file, 124},
		{[]string{"up"}, []string{"--dial-timeout", "0s"}, file, 2},
		{[]string{"add-node"}, []string{"--node", "127.0.0.2", "--ready-timeout", "1m", "--timeout", "1ns"}, file, 124},
		{[]string{"add-node"}, []string{"--parallel", "0"}, file, 2},
		{[]string{"swap", "enable"}, []string{"--node", "127.0.0.1,127.0.0.2", "--continue-on-error", "--timeout", "1ns"}, file, 124},
		{[]string{"swap", "enable"}, []string{"--keepalive", "0s"}, file, 2},
		{[]string{"swap", "disable"}, []string{"--yes", "--timeout", "1ns"}, file, 124},
		{[]string{"swap", "disable"}, []string{"--facts-parallel", "0"}, file, 2},
		{[]string{"status"}, []string{"-o", "json", "--facts-parallel", "5", "--timeout", "1ns"}, file, 124},
		{[]string{"status"}, []string{"-o", "yaml"}, file, 2},
		{[]string{"reset"}, []string{"--yes", "--keep-swap", "--timeout", "1ns"}, file, 124},
		{[]string{"reset"}, []string{"--kubelet-log-lines", "-5"}, file, 2},
		{[]string{"kubeconfig"}, []string{"--file", kube, "--step-timeout", "1m", "--timeout", "1ns"}, file, 124},
		{[]string{"kubeconfig"}, []string{"--dial-timeout", "-1s"}, file, 2},
	} {
		name := strings.Join(append(append([]string{}, tc.cmd...), tc.flags...), " ")
		var files []string
		if tc.file != "" {
			files = []string{tc.file}
		}
		forms := map[string][]string{
			"flags before the file":    concat(tc.cmd, tc.flags, files),
			"flags after the file":     concat(tc.cmd, files, tc.flags),
			"-- before the file":       concat(tc.cmd, tc.flags, []string{"--"}, files),
			"--verbose after command":  concat(tc.cmd, files, tc.flags, []string{"--verbose"}),
			"--verbose before command": concat([]string{"--verbose"}, tc.cmd, tc.flags, files),
		}
		if split := lastLongFlag(tc.flags); split > 0 { // some flags on each side
			forms["flags around the file"] = concat(tc.cmd, tc.flags[:split], files, tc.flags[split:])
		}
		var wantOut string
		var wantMsgs []string
		first := true
		for form, args := range forms {
			code, out, errOut := runIn(t, context.Background(), "", false, args...)
			if code != tc.code {
				t.Errorf("%s (%s): exit %d, want %d\n%s", name, form, code, tc.code, errOut)
				continue
			}
			if strings.Contains(form, "--verbose") && tc.code == 124 && !strings.Contains(errOut, "level=DEBUG") {
				t.Errorf("%s (%s): --verbose printed no debug line:\n%s", name, form, errOut)
			}
			if first {
				wantOut, wantMsgs, first = out, messages(errOut), false
				continue
			}
			if out != wantOut || !reflect.DeepEqual(messages(errOut), wantMsgs) {
				t.Errorf("%s (%s): result differs:\n%s\n%q\nwant %q", name, form, out, messages(errOut), wantMsgs)
			}
		}
	}
}

// lastLongFlag is the index of the last --flag in flags (0 when there is one flag).
func lastLongFlag(flags []string) int {
	last := 0
	for i, f := range flags {
		if strings.HasPrefix(f, "--") {
			last = i
		}
	}
	return last
}

func concat(parts ...[]string) []string {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// TestFlagValuesCheckedBeforeConnecting: one line, exit 2, and no connection attempt (--verbose would
// log "connecting").
func TestFlagValuesCheckedBeforeConnecting(t *testing.T) {
	file := hostCluster(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"up", "--parallel", "0"}, "--parallel 0 is too small; write --parallel 1 or more"},
		{[]string{"up", "--parallel", "-3"}, "--parallel -3 is too small"},
		{[]string{"up", "--facts-parallel", "0"}, "--facts-parallel 0 is too small"},
		{[]string{"up", "--dial-timeout", "0s"}, "--dial-timeout 0s is not a time limit"},
		{[]string{"up", "--dial-timeout", "-1s"}, "--dial-timeout -1s is not a time limit"},
		{[]string{"up", "--keepalive", "0s"}, "--keepalive 0s is not a time limit"},
		{[]string{"up", "--kubelet-log-lines", "-5"}, "--kubelet-log-lines -5 is too small"},
		{[]string{"up", "--kubeconfig-dir", "/nonexistent"}, "--kubeconfig-dir /nonexistent: directory /nonexistent does not exist"},
		{[]string{"up", "--dial-timeout", "10"}, "write a duration such as --dial-timeout 10s"},
		{[]string{"up", "--report", "/nonexistent/r.json"}, "--report /nonexistent/r.json: directory /nonexistent does not exist"},
		{[]string{"status", "--timeout", "0s"}, "--timeout 0s is not a time limit"},
		{[]string{"add-node", "--ready-timeout", "0s"}, "--ready-timeout 0s is not a time limit"},
		{[]string{"kubeconfig", "--file", "/nonexistent/k"}, "directory /nonexistent does not exist"},
	} {
		code, _, errOut := runIn(t, context.Background(), "", false, append(append([]string{"--verbose"}, tc.args...), file)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q:\n%s", tc.args, code, tc.want, errOut)
		}
		if strings.Contains(errOut, "connecting") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: not one line before connecting:\n%s", tc.args, errOut)
		}
		if strings.Contains(errOut, "parse error") {
			t.Errorf("%v: says parse error: %s", tc.args, errOut)
		}
	}
}

func TestVerbosePrintsDebugLines(t *testing.T) {
	file := hostCluster(t)
	code, _, errOut := runIn(t, context.Background(), "", false, "--verbose", "up", "--dry-run", file)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (127.0.0.1:1 refuses):\n%s", code, errOut)
	}
	// The pipeline's own stage and connection lines, not a stand-in logged by the command.
	for _, want := range []string{"level=DEBUG msg=stage stage=load file=" + file + " dryRun=true", "level=DEBUG msg=\"stage done\" stage=load",
		"level=DEBUG msg=stage stage=connect", "level=DEBUG msg=connecting host=127.0.0.1", "level=DEBUG msg=\"connect failed\"",
		"level=DEBUG msg=\"stage failed (the error is printed at the end)\" stage=connect"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// TestExitCodes: 0 done, 1 a host failed, 2 bad input, 124 --timeout, 130 interrupted.
func TestExitCodes(t *testing.T) {
	file := hostCluster(t)
	if code, _, errOut := runIn(t, context.Background(), "", false, "plan", "--kubernetes-version", "v1.30.4", "examples/cluster.yaml"); code != 0 {
		t.Errorf("plan: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runIn(t, context.Background(), "", false, "up", file); code != 1 {
		t.Errorf("refused connection: exit %d, want 1: %s", code, errOut)
	}
	if code, _, errOut := runIn(t, context.Background(), "", false, "up", file, "--parallel", "0"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2: %s", code, errOut)
	}
	for _, cmd := range [][]string{{"up"}, {"status"}, {"reset", "--yes"}} {
		code, _, errOut := runIn(t, context.Background(), "", false, concat(cmd, []string{file, "--timeout", "1ns"})...)
		if code != 124 || !strings.Contains(errOut, "swapboot: the run passed --timeout 1ns; ") || !strings.Contains(errOut, "run it again with a longer --timeout") ||
			strings.Contains(errOut, "deadline exceeded") {
			t.Errorf("%v --timeout: exit %d, want 124 and its own message:\n%s", cmd, code, errOut)
		}
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, cmd := range [][]string{{"up"}, {"status"}} {
		if code, _, errOut := runIn(t, cancelled, "", false, concat(cmd, []string{file})...); code != 130 {
			t.Errorf("%v interrupted: exit %d, want 130: %s", cmd, code, errOut)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	for args, want := range map[string]string{
		"stauts x.yaml":         `unknown command "stauts"; did you mean swapboot status?`,
		"swap enabel x.yaml":    `swapboot swap has no command "enabel"; did you mean swapboot swap enable?`,
		"up x.yaml --dry-rn":    "swapboot up has no flag --dry-rn; did you mean --dry-run?",
		"status x.yaml --outpt": "did you mean --output?",
		"completion bsh":        "did you mean bash?",
	} {
		code, _, errOut := runIn(t, context.Background(), "", false, strings.Fields(args)...)
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, want 2 and %q:\n%s", args, code, want, errOut)
		}
	}
}

func TestMissingFileNamesTheRealCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, errOut := runIn(t, context.Background(), "", false, "swap", "enable")
	if code != 2 || !strings.Contains(errOut, "no cluster.yaml in the current directory") || !strings.Contains(errOut, "swapboot swap enable --help") ||
		strings.Contains(errOut, "swapboot enable") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}

// TestEachCommandShowsItsFlags reads each command's --help.
func TestEachCommandShowsItsFlags(t *testing.T) {
	for _, tc := range []struct {
		cmd         []string
		want, avoid []string
	}{
		{[]string{"status"}, []string{"--output value, -o value", "--facts-parallel"}, []string{"--parallel", "--step-timeout", "--report", "--dry-run"}},
		{[]string{"kubeconfig"}, []string{"--file value, --kubeconfig-out value", "--output value, -o value"}, []string{"--exclude", "--parallel", "--report", "--facts-parallel"}},
		{[]string{"swap", "enable"}, []string{"--node value", "--dry-run"}, []string{"--parallel value", "--yes"}},
		{[]string{"swap", "disable"}, []string{"--node value", "--yes"}, []string{"--parallel value"}},
		{[]string{"add-node"}, []string{"--node value", "--parallel value"}, []string{"--worker "}},
		{[]string{"up"}, []string{"--parallel value", "--kubeconfig-dir", "--report", "--output value, -o value", "--scripts"}, nil},
		{[]string{"reset"}, []string{"--yes", "--keep-swap"}, nil},
	} {
		for _, args := range [][]string{concat(tc.cmd, []string{"--help"}), concat(tc.cmd, []string{"x.yaml", "--help"})} {
			code, out, errOut := runIn(t, context.Background(), "", false, args...)
			if code != 0 {
				t.Errorf("%v: exit %d: %s", args, code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%v lacks %q:\n%s", args, w, out)
				}
			}
			for _, a := range tc.avoid {
				if strings.Contains(out, a) {
					t.Errorf("%v shows %q:\n%s", args, a, out)
				}
			}
		}
	}
}

func TestOldSpellingsRefusedWithHint(t *testing.T) {
	for args, want := range map[string]string{
		"kubeconfig x.yaml -o k":              "-o is the output format (text or json); write the file with --file FILE",
		"add-node x.yaml --worker 10.0.0.2":   "name the workers with --node ADDR",
		"status x.yaml --parallel 3":          "bound its connections with --facts-parallel N",
		"swap disable x.yaml --parallel 3":    "one node at a time",
		"kubeconfig x.yaml --exclude 1.2.3.4": "swapboot kubeconfig has no flag --exclude",
	} {
		code, _, errOut := runIn(t, context.Background(), "", false, strings.Fields(args)...)
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, want 2 and %q:\n%s", args, code, want, errOut)
		}
	}
}

// TestRemovingCommandsAsk: without a terminal and without --yes, reset and swap disable stop before
// contacting a host; --dry-run removes nothing and does not ask.
func TestRemovingCommandsAsk(t *testing.T) {
	file := hostCluster(t)
	for _, cmd := range [][]string{{"reset"}, {"swap", "disable"}} {
		code, _, errOut := runIn(t, context.Background(), "", false, concat([]string{"--verbose"}, cmd, []string{file})...)
		if code != 2 || !strings.Contains(errOut, "asks first, but stdin is not a terminal; pass --yes") || strings.Contains(errOut, "connecting") {
			t.Errorf("%v: exit %d:\n%s", cmd, code, errOut)
		}
		if code, _, errOut := runIn(t, context.Background(), "", false, concat(cmd, []string{file, "--dry-run"})...); code != 1 {
			t.Errorf("%v --dry-run: exit %d, want 1 (127.0.0.1:1 refuses):\n%s", cmd, code, errOut)
		}
		if code, _, errOut := runIn(t, context.Background(), "", true, concat(cmd, []string{file})...); code != 1 {
			t.Errorf("%v on a terminal: exit %d, want 1 (it goes on to connect, then would ask):\n%s", cmd, code, errOut)
		}
	}
}

func TestInitHostsAndArguments(t *testing.T) {
	_, commas, _ := runIn(t, context.Background(), "", false, "init", "--masters", "10.0.0.1", "--workers", "10.0.0.2,10.0.0.3")
	code, repeats, errOut := runIn(t, context.Background(), "", false, "init", "--workers", "10.0.0.2", "--masters", "10.0.0.1", "--workers", " 10.0.0.3")
	if code != 0 || commas != repeats || !strings.Contains(repeats, "10.0.0.3") {
		t.Errorf("repeated and comma-separated hosts differ (exit %d): %s", code, errOut)
	}
	if code, _, errOut := runIn(t, context.Background(), "", false, "init", "extra"); code != 2 || !strings.Contains(errOut, "init takes no arguments") {
		t.Errorf("extra argument: exit %d: %s", code, errOut)
	}
}

func TestClusterFileFromStdinAndDefault(t *testing.T) {
	data, err := os.ReadFile("examples/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := runIn(t, context.Background(), "", false, "plan", "examples/cluster.yaml", "--kubernetes-version", "v1.30.4")
	code, got, errOut := runIn(t, context.Background(), string(data), false, "plan", "-", "--kubernetes-version", "v1.30.4")
	if code != 0 || got != want {
		t.Errorf("plan - (stdin): exit %d, output differs from the file's: %s", code, errOut)
	}
	code, _, errOut = runIn(t, context.Background(), "name: lab\nmasters: [10.0.0.1]\nnetworking: {podSubent: 10.1.0.0/16}\n", false, "plan", "--kubernetes-version", "v1.30.4", "-")
	if code != 2 || !strings.Contains(errOut, "swapboot: <stdin>:3: networking.podSubent") {
		t.Errorf("bad stdin: exit %d: %s", code, errOut)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cluster.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if code, got, errOut := runIn(t, context.Background(), "", false, "plan", "--kubernetes-version", "v1.30.4"); code != 0 || got != want {
		t.Errorf("plan with ./cluster.yaml: exit %d, output differs: %s", code, errOut)
	}
	if code, _, errOut := runIn(t, context.Background(), "", false, "plan", "a.yaml", "b.yaml"); code != 2 || !strings.Contains(errOut, "takes one cluster file, got 2 arguments") {
		t.Errorf("two files: exit %d: %s", code, errOut)
	}
}

// TestStdinNamedInLaterMessages: a cluster file from stdin is <stdin> past loading too, in the
// pipeline's checks and its debug lines, and no temporary copy names it.
func TestStdinNamedInLaterMessages(t *testing.T) {
	file := hostCluster(t)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runIn(t, context.Background(), string(data), false, "up", "-", "--exclude", "10.9.9.9")
	if code != 2 || !strings.Contains(errOut, "10.9.9.9 is not a worker of <stdin>") {
		t.Errorf("--exclude: exit %d, want 2 and <stdin> named:\n%s", code, errOut)
	}
	code, _, errOut = runIn(t, context.Background(), string(data), false, "--verbose", "up", "--dry-run", "-")
	if code != 1 || !strings.Contains(errOut, "msg=stage stage=load file=<stdin>") || strings.Contains(errOut, "swapboot-stdin") {
		t.Errorf("dry run: exit %d, want 1 and file=<stdin> in the pipeline's log:\n%s", code, errOut)
	}
	code, _, errOut = runIn(t, context.Background(), "name: lab\nmasters: [127.0.0.1]\nswap: {size: 1X}\n", false, "status", "-")
	if code != 2 || !strings.Contains(errOut, "swapboot: <stdin>:3: swap.size") {
		t.Errorf("status -: exit %d:\n%s", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runIn(t, context.Background(), "", false, "--version")
	for _, want := range []string{"swapboot dev\n", "commit: ", "go: go1.", "kubernetes: 1.17 to 1.37\n"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("exit %d, --version lacks %q:\n%s", code, want, out)
		}
	}
}

// TestCompletionBash runs the generated script through a real bash: syntax, then sourced and
// registered, then the function asked for completions as bash does on <TAB>.
func TestCompletionBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	code, out, errOut := runIn(t, context.Background(), "", false, "completion", "bash")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	file := filepath.Join(t.TempDir(), "swapboot.bash")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", file).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	res, err := exec.Command(bash, "-c", `source `+file+` && complete -p swapboot &&
		COMP_WORDS=(swapboot sw); COMP_CWORD=1; _swapboot && echo "${COMPREPLY[*]}" &&
		COMP_WORDS=(swapboot ''); COMP_CWORD=1; _swapboot && echo "${COMPREPLY[*]}" &&
		COMP_WORDS=(swapboot swap disable --y); COMP_CWORD=3; _swapboot && echo "${COMPREPLY[*]}" &&
		COMP_WORDS=(swapboot status -o ''); COMP_CWORD=3; _swapboot && echo "${COMPREPLY[*]}" &&
		COMP_WORDS=(swapboot up -o ''); COMP_CWORD=3; _swapboot && echo "${COMPREPLY[*]}" &&
		COMP_WORDS=(swapboot plan --cgroup ''); COMP_CWORD=3; _swapboot && echo "${COMPREPLY[*]}"`).CombinedOutput()
	want := "complete -F _swapboot swapboot\nswap\nup plan add-node swap status reset kubeconfig init completion help\n--yes\ntable json\ntext json\nv1 v2\n"
	if err != nil || string(res) != want {
		t.Fatalf("sourced in bash: %v\n%s\nwant\n%s", err, res, want)
	}
	for _, shell := range []string{"zsh", "fish"} {
		if code, out, errOut := runIn(t, context.Background(), "", false, "completion", shell); code != 0 || !strings.Contains(out, "swapboot") {
			t.Errorf("completion %s: exit %d: %s", shell, code, errOut)
		}
	}
}
