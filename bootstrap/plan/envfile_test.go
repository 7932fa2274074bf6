package plan

import (
	"strings"
	"testing"
)

func TestMergeFailSwapOn(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"package default (pkgs.k8s.io)", "KUBELET_EXTRA_ARGS=\n", "KUBELET_EXTRA_ARGS=--fail-swap-on=false\n"},
		{"missing file (old deb)", "", "KUBELET_EXTRA_ARGS=--fail-swap-on=false\n"},
		{"keeps other args", "KUBELET_EXTRA_ARGS=--node-ip=10.0.0.5\n", "KUBELET_EXTRA_ARGS=\"--node-ip=10.0.0.5 --fail-swap-on=false\"\n"},
		{"keeps quoting", "KUBELET_EXTRA_ARGS=\"--node-labels=a=b --v=2\"\n", "KUBELET_EXTRA_ARGS=\"--node-labels=a=b --v=2 --fail-swap-on=false\"\n"},
		{"replaces true", "KUBELET_EXTRA_ARGS=\"--fail-swap-on=true --v=2\"\n", "KUBELET_EXTRA_ARGS=\"--v=2 --fail-swap-on=false\"\n"},
		{"replaces bare flag", "KUBELET_EXTRA_ARGS=--fail-swap-on\n", "KUBELET_EXTRA_ARGS=--fail-swap-on=false\n"},
		{"keeps comments and other keys", "# managed by ops\nHTTP_PROXY=http://p:3128\nKUBELET_EXTRA_ARGS=\n", "# managed by ops\nHTTP_PROXY=http://p:3128\nKUBELET_EXTRA_ARGS=--fail-swap-on=false\n"},
		{"no trailing newline", "A=1", "A=1\nKUBELET_EXTRA_ARGS=--fail-swap-on=false\n"},
		{"last assignment wins", "KUBELET_EXTRA_ARGS=--fail-swap-on\nKUBELET_EXTRA_ARGS=--v=1\n", "KUBELET_EXTRA_ARGS=\nKUBELET_EXTRA_ARGS=\"--v=1 --fail-swap-on=false\"\n"},
		{"commented flag untouched", "#KUBELET_EXTRA_ARGS=--fail-swap-on=true\n", "#KUBELET_EXTRA_ARGS=--fail-swap-on=true\nKUBELET_EXTRA_ARGS=--fail-swap-on=false\n"},
		{"single quotes", "KUBELET_EXTRA_ARGS='--v=2'\n", "KUBELET_EXTRA_ARGS='--v=2 --fail-swap-on=false'\n"},
		{"similar flag kept", "KUBELET_EXTRA_ARGS=--fail-swap-on-foo=1\n", "KUBELET_EXTRA_ARGS=\"--fail-swap-on-foo=1 --fail-swap-on=false\"\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MergeFailSwapOn(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("MergeFailSwapOn(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			again, err := MergeFailSwapOn(got)
			if err != nil || again != got {
				t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
			}
		})
	}
}

func TestMergeFailSwapOnRefusesContinuation(t *testing.T) {
	_, err := MergeFailSwapOn("KUBELET_EXTRA_ARGS=--v=2 \\\n --node-ip=1.2.3.4\n")
	if _, ok := err.(*EnvFileError); !ok {
		t.Fatalf("want *EnvFileError, got %v", err)
	}
}

func TestRemoveFailSwapOn(t *testing.T) {
	got, err := RemoveFailSwapOn("X=1\nKUBELET_EXTRA_ARGS=\"--v=2 --fail-swap-on=false\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "X=1\nKUBELET_EXTRA_ARGS=\"--v=2\"\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	orig := "KUBELET_EXTRA_ARGS=\n"
	merged, _ := MergeFailSwapOn(orig)
	back, _ := RemoveFailSwapOn(merged)
	if back != orig {
		t.Errorf("merge then remove: %q, want %q", back, orig)
	}
}

// FuzzMergeFailSwapOn: whatever the file, the result (when there is one) has the flag exactly once in the
// effective assignment, keeps every non-assignment line, and is a fixed point.
func FuzzMergeFailSwapOn(f *testing.F) {
	for _, s := range []string{"", "KUBELET_EXTRA_ARGS=\n", "A=1\n#c\nKUBELET_EXTRA_ARGS=\"--v=2 --fail-swap-on\"\n", "KUBELET_EXTRA_ARGS='x'", "KUBELET_EXTRA_ARGS=a\\\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := MergeFailSwapOn(in)
		if err != nil {
			return
		}
		again, err := MergeFailSwapOn(out)
		if err != nil || again != out {
			t.Fatalf("not a fixed point: %q -> %q -> %q (%v)", in, out, again, err)
		}
		lastValue := ""
		for _, line := range strings.Split(out, "\n") {
			if k, v, ok := envAssignment(line); ok && k == extraArgsKey {
				lastValue = v
			}
		}
		flags := 0
		for _, word := range strings.Fields(strings.Trim(lastValue, `"'`)) {
			if word == "--fail-swap-on" || strings.HasPrefix(word, "--fail-swap-on=") {
				flags++
			}
		}
		if flags != 1 || !strings.HasSuffix(strings.Trim(lastValue, `"'`), "--fail-swap-on=false") {
			t.Fatalf("effective KUBELET_EXTRA_ARGS %q of %q", lastValue, out)
		}
		for _, line := range strings.Split(strings.TrimSuffix(in, "\n"), "\n") {
			if _, _, ok := envAssignment(line); !ok && !strings.Contains(out, line) {
				t.Fatalf("line %q lost: %q -> %q", line, in, out)
			}
		}
	})
}

func TestMergeKubeletArgs(t *testing.T) {
	extra := map[string]string{"node-labels": "role=db", "max-pods": "50"}
	cases := []struct{ name, in, want string }{
		{"empty file", "", "KUBELET_EXTRA_ARGS=\"--max-pods=50 --node-labels=role=db --fail-swap-on=false\"\n"},
		{"keeps the host's args", "KUBELET_EXTRA_ARGS=--node-ip=10.0.0.5\n", "KUBELET_EXTRA_ARGS=\"--node-ip=10.0.0.5 --max-pods=50 --node-labels=role=db --fail-swap-on=false\"\n"},
		{"replaces the same flag", "KUBELET_EXTRA_ARGS=\"--max-pods=10 --v=2\"\n", "KUBELET_EXTRA_ARGS=\"--v=2 --max-pods=50 --node-labels=role=db --fail-swap-on=false\"\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MergeKubeletArgs(c.in, extra)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("MergeKubeletArgs(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			again, err := MergeKubeletArgs(got, extra)
			if err != nil || again != got {
				t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
			}
		})
	}
	if _, err := MergeKubeletArgs("", map[string]string{"node-labels": "a=b c=d"}); err == nil {
		t.Error("a value with a blank was accepted")
	}
}
