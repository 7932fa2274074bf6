package cmdline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

const goodFile = "name: lab\nmasters: [192.168.122.50]\n"

func TestClusterFileFromStdin(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f, err := OpenClusterFile("plan", []string{"-"}, strings.NewReader(goodFile))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "<stdin>" || string(f.Data) != goodFile {
		t.Errorf("got name %q, data %q", f.Name, f.Data)
	}
	c, err := cluster.LoadFrom(f.Name, f.Data)
	if err != nil || c.Name != "lab" || c.File != "<stdin>" {
		t.Fatalf("the loader cannot read stdin's contents: %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("stdin was copied to a temporary file: %v", left)
	}
}

func TestClusterFileFromStdinNamesStdinWithLine(t *testing.T) {
	f, err := OpenClusterFile("up", []string{"-"}, strings.NewReader(goodFile+"swap: {size: 1X}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cluster.LoadFrom(f.Name, f.Data)
	var ce *cluster.ConfigError
	if !errors.As(err, &ce) || ce.ExitCode() != 2 || !strings.HasPrefix(err.Error(), "<stdin>:3: swap.size") {
		t.Fatalf("got %v, want <stdin>:3: swap.size ...", err)
	}
	f, err = OpenClusterFile("up", []string{"-"}, strings.NewReader(""))
	if err != nil || f.Data == nil {
		t.Fatalf("empty stdin: %+v, %v", f, err)
	}
	if _, err := cluster.LoadFrom(f.Name, f.Data); !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "<stdin>") {
		t.Errorf("empty stdin: got %v, want a <stdin> problem", err)
	}
}

func TestClusterFileDefault(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	_, err := OpenClusterFile("swap enable", nil, strings.NewReader(""))
	wantUsage(t, "missing default", err, "no cluster file given, and no cluster.yaml in the current directory; name one: swapboot swap enable FILE, or - to read it from stdin")
	if err := os.WriteFile(filepath.Join(dir, "cluster.yaml"), []byte(goodFile), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenClusterFile("up", nil, strings.NewReader(""))
	if err != nil || f.Name != "cluster.yaml" || f.Data != nil {
		t.Fatalf("got %+v, %v", f, err)
	}
	_, err = OpenClusterFile("up", []string{"a.yaml", "b.yaml"}, strings.NewReader(""))
	wantUsage(t, "two files", err, "swapboot up takes one cluster file, got 2 arguments: a.yaml b.yaml")
}

func TestConfirm(t *testing.T) {
	var out strings.Builder
	wantUsage(t, "no terminal", NeedsYes("swap disable", false, false, Terminal{IsTerminal: false}), "swapboot swap disable removes things and asks first, but stdin is not a terminal; pass --yes")
	for _, ok := range []error{NeedsYes("reset", true, false, Terminal{}), NeedsYes("reset", false, true, Terminal{}), NeedsYes("reset", false, false, Terminal{IsTerminal: true})} {
		if ok != nil {
			t.Error(ok)
		}
	}
	for answer, want := range map[string]bool{"yes\n": true, " yes \n": true, "no\n": false, "y\n": false, "\n": false} {
		out.Reset()
		got, err := Confirm(Terminal{In: strings.NewReader(answer), Out: &out, IsTerminal: true}, "This removes x.")
		if err != nil || got != want {
			t.Errorf("answer %q: got %v, %v", answer, got, err)
		}
		if !strings.Contains(out.String(), "This removes x. Type yes to go on: ") {
			t.Errorf("question not shown: %q", out.String())
		}
	}
	if _, err := Confirm(Terminal{In: strings.NewReader(""), Out: &out, IsTerminal: true}, "q"); err == nil {
		t.Error("no answer (EOF) accepted")
	}
}
