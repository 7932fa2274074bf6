package output

import (
	"bytes"
	"strings"
	"testing"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// FuzzRedactorWriter: whatever the secret, the text and the way the text is split into Write
// calls (each byte of splits is the length of the next write), the output never contains the
// secret (nor, for a bootstrap token, its secret half) outside a <redacted> marker, and equals
// the one-shot redaction of the whole text. Seed corpus: testdata/fuzz/FuzzRedactorWriter.
func FuzzRedactorWriter(f *testing.F) {
	// More seeds (real kubeadm output excerpts) are committed.
	f.Add("kgswhx.ctp7thcrdzq5mr7a", "[bootstrap-token] Using token: kgswhx.ctp7thcrdzq5mr7a\n  token-secret: Y3RwN3RoY3JkenE1bXI3YQ==\n", []byte{1, 7, 200, 3})
	f.Add("hunter2", "[sudo] password for k: hunter2\nhunter2hunter2", []byte{1})
	f.Fuzz(func(t *testing.T, secret, text string, splits []byte) {
		if strings.Contains(secret, RedactionMarker) || strings.Contains(secret, "\x00") {
			t.Skip("a secret containing the marker cannot be told apart from it")
		}
		r := NewRedactor(secret)
		var buf bytes.Buffer
		w := r.Writer(&buf)
		rest := text
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if len(splits) > 0 {
				n = min(n, 1+int(splits[i%len(splits)]))
			}
			if m, err := w.Write([]byte(rest[:n])); err != nil || m != n {
				t.Fatalf("Write = %d, %v", m, err)
			}
			rest = rest[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got := buf.String()
		masked := strings.ReplaceAll(got, RedactionMarker, "\x00")
		parts := strings.Split(secret, "\n") // Add masks a multi-line secret line by line
		if bootstraputil.IsValidBootstrapToken(secret) {
			parts = append(parts, secret[7:])
		}
		for _, p := range parts {
			if p != "" && strings.Contains(masked, p) {
				t.Fatalf("secret part %q leaked: %q", p, got)
			}
		}
		longLine := false
		for _, l := range strings.Split(text, "\n") {
			longLine = longLine || len(l) > redactMaxPending
		}
		if want, _ := r.redactAll(text, 0); !longLine && got != want {
			t.Fatalf("stream %q != one-shot %q", got, want)
		}
	})
}
