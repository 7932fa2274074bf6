package output

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

func TestRedact(t *testing.T) {
	const tok = "kgswhx.ctp7thcrdzq5mr7a"
	const key = "8c6e1cfcd57cadfeed2ff3793cead1ff47fc86a1c6a6a93e78b12562ffda590d"
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"no secrets", nil, "a " + tok + " b", "a " + tok + " b"},
		{"empty secret ignored", []string{""}, "abc", "abc"},
		{"token", []string{tok}, "kubeadm join x --token " + tok + " \\", "kubeadm join x --token <redacted> \\"},
		{"token at both ends", []string{tok}, tok + tok, "<redacted>"},
		{"secret half alone, ID kept", []string{tok}, `Resource name "bootstrap-token-kgswhx" secret ctp7thcrdzq5mr7a.`, `Resource name "bootstrap-token-kgswhx" secret <redacted>.`},
		{"base64 of the secret half (dry-run Secret)", []string{tok}, "  token-secret: Y3RwN3RoY3JkenE1bXI3YQ==\n  token-id: a2dzd2h4\n", "  token-secret: <redacted>\n  token-id: a2dzd2h4\n"},
		{"certificate key, any case", []string{key}, key + " " + strings.ToUpper(key), "<redacted> <redacted>"},
		{"sudo password", []string{"hunter2!"}, "[sudo] password: hunter2!\n", "[sudo] password: <redacted>\n"},
		{"overlapping secrets merged", []string{"abcd", "cdef"}, "xabcdefx", "x<redacted>x"},
		{"multi-line secret masked line by line", []string{"line-one\nline-two"}, "a line-one b\nline-two c", "a <redacted> b\n<redacted> c"},
		{"CA hash kept", []string{tok, key}, "--discovery-token-ca-cert-hash " + jmtHashA, "--discovery-token-ca-cert-hash " + jmtHashA},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRedactor(tc.secrets...)
			if got := r.Redact(tc.in); got != tc.want {
				t.Fatalf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
	var zero Redactor
	if zero.Redact("x") != "x" {
		t.Fatal("zero Redactor")
	}
}

// TestRedactRealOutput: with the token and the certificate key of a real run known, nothing
// of them remains in the output, and the CA hashes are untouched.
func TestRedactRealOutput(t *testing.T) {
	tests := []struct {
		file, token, key, hash string
	}{
		{"init-real.stdout", "xsqxfd.ab1e86pg2phzr4os", "", "sha256:9401276b55ab1f742bcaf0b617a0ba74122bdc41c725f4201e22544def28689d"},
		{"init-dry-run.stdout", "kgswhx.ctp7thcrdzq5mr7a", "", "sha256:cdb259bfda37cf544a6045cbfc5a21d1c148fb4084cc2b2e107d13fc33ae15b5"},
		{"init-dry-run-ha.stdout", jmtTok, jmtKey, jmtHashB},
		{"token-create-print-join.txt", "cao4c9.xq6301lmpmktf6or", "", "sha256:5f7398db779e9cba79ee69ff0d40f8bb1fba4f1401a17e0daaa42b298859e32b"},
		{"upload-certs.txt", "", "8c6e1cfcd57cadfeed2ff3793cead1ff47fc86a1c6a6a93e78b12562ffda590d", ""},
		{"init-v1.17-ha-handmade.stdout", "9a08jv.c0izixklcxtmnze7", "b135c42e57805cf4b9ebd4130e603282b53a9253f16daef78119b43b36096dbf", "sha256:50f71e9fcc9dab8861363d2decb0a3e9a89454fa8f7b317917eaabca5a942aa3"},
	}
	for _, tc := range tests {
		in := jmtRead(t, tc.file)
		var leaks []string
		if tc.token != "" {
			sec := tc.token[7:]
			leaks = append(leaks, tc.token, sec, base64.StdEncoding.EncodeToString([]byte(sec)))
		}
		if tc.key != "" {
			leaks = append(leaks, tc.key)
		}
		check := func(how, out string) {
			t.Helper()
			for _, l := range leaks {
				if strings.Contains(out, l) {
					t.Errorf("%s %s: %q leaks", tc.file, how, l)
				}
			}
			if tc.hash != "" && strings.Count(out, tc.hash) != strings.Count(in, tc.hash) {
				t.Errorf("%s %s: CA hash masked", tc.file, how)
			}
			if tc.token != "" && !strings.Contains(out, "<redacted>") {
				t.Errorf("%s %s: nothing masked", tc.file, how)
			}
		}
		r := NewRedactor(tc.token, tc.key)
		check("Redact", r.Redact(in))
		// Known patterns alone (secrets unknown) must also catch them.
		check("RedactKnownPatterns", RedactKnownPatterns(in))
		var buf bytes.Buffer
		w := NewRedactor().Writer(&buf)
		fmt.Fprint(w, in)
		w.Close()
		check("empty Redactor Writer", buf.String())
	}
}

func TestRedactKnownPatterns(t *testing.T) {
	const key = "8c6e1cfcd57cadfeed2ff3793cead1ff47fc86a1c6a6a93e78b12562ffda590d"
	tests := []struct {
		name, in, want string
	}{
		{"nothing", "[init] Using Kubernetes version: v1.37.2\n", "[init] Using Kubernetes version: v1.37.2\n"},
		{"token in log line", "[bootstrap-token] Using token: kgswhx.ctp7thcrdzq5mr7a\n", "[bootstrap-token] Using token: <redacted>\n"},
		{"token in join", "kubeadm join 1.2.3.4:6443 --token=kgswhx.ctp7thcrdzq5mr7a --x", "kubeadm join 1.2.3.4:6443 --token=<redacted> --x"},
		{"two tokens one space apart", "abcdef.0123456789abcdef abcdeg.0123456789abcdef", "<redacted> <redacted>"},
		{"token-shaped inside longer word kept", "xabcdef.0123456789abcdef abcdef.0123456789abcdefx", "xabcdef.0123456789abcdef abcdef.0123456789abcdefx"},
		{"upper case is not a token", "ABCDEF.0123456789ABCDEF", "ABCDEF.0123456789ABCDEF"},
		{"certificate key flag", "\t--control-plane --certificate-key " + key + "\n", "\t--control-plane --certificate-key <redacted>\n"},
		{"certificate key flag =", "--certificate-key=" + key, "--certificate-key=<redacted>"},
		{"certificate key withheld kept", "--certificate-key <value withheld>", "--certificate-key <value withheld>"},
		{"upload-certs key on next line", "[upload-certs] Using certificate key:\n" + key + "\n[mark-control-plane] x\n", "[upload-certs] Using certificate key:\n<redacted>\n[mark-control-plane] x\n"},
		{"upload-certs key CRLF", "[upload-certs] Using certificate key:\r\n" + key + "\r\n", "[upload-certs] Using certificate key:\r\n<redacted>\r\n"},
		{"upload-certs key after an interleaved klog line", "[upload-certs] Using certificate key:\nW1128 14:06:05.815237   27202 version.go:108] x\n" + key + "\n", "[upload-certs] Using certificate key:\nW1128 14:06:05.815237   27202 version.go:108] x\n<redacted>\n"},
		{"hex after the lookahead kept", "[upload-certs] Using certificate key:\na\nb\nc\n" + key + "\n", "[upload-certs] Using certificate key:\na\nb\nc\n" + key + "\n"},
		{"CA hash near the header kept", "[upload-certs] Using certificate key:\n--discovery-token-ca-cert-hash " + jmtHashA + "\n", "[upload-certs] Using certificate key:\n--discovery-token-ca-cert-hash " + jmtHashA + "\n"},
		{"CA hash kept", "\t--discovery-token-ca-cert-hash " + jmtHashA + " \n", "\t--discovery-token-ca-cert-hash " + jmtHashA + " \n"},
		{"token-secret value", "  token-secret: Y3RwN3RoY3JkenE1bXI3YQ==\n", "  token-secret: <redacted>\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactKnownPatterns(tc.in)
			if got != tc.want {
				t.Fatalf("\n got %q\nwant %q", got, tc.want)
			}
			if again := RedactKnownPatterns(got); again != got {
				t.Fatalf("not idempotent: %q", again)
			}
		})
	}
}

func TestRedactorWriter(t *testing.T) {
	const tok = "kgswhx.ctp7thcrdzq5mr7a"
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"secret split across writes", []string{"token: kgswhx.ctp7", "thcrdzq5mr7a\nnext"}, "token: <redacted>\nnext"},
		{"byte by byte", strings.Split("a "+tok+" b\n", ""), "a <redacted> b\n"},
		{"partial line flushed on Close", []string{"password: hunter2!"}, "password: <redacted>"},
		{"several lines in one write", []string{"a\nb " + tok + "\nc"}, "a\nb <redacted>\nc"},
		{"certificate key header state across writes", []string{"[upload-certs] Using certificate key:\n", jmtKey[:10], jmtKey[10:] + "\n"}, "[upload-certs] Using certificate key:\n<redacted>\n"},
		{"empty writes", []string{"", "x", "", "\n"}, "x\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewRedactor(tok, "hunter2!").Writer(&buf)
			for _, s := range tc.writes {
				if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want {
				t.Fatalf("\n got %q\nwant %q", buf.String(), tc.want)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if _, err := w.Write([]byte("x")); err == nil {
				t.Fatal("Write after Close succeeded")
			}
		})
	}
}

func TestRedactorWriterNothingBeforeNewline(t *testing.T) {
	var buf bytes.Buffer
	w := NewRedactor("s3cr3t-pw").Writer(&buf)
	w.Write([]byte("abc s3cr"))
	if buf.Len() != 0 {
		t.Fatalf("partial line flushed early: %q", buf.String())
	}
	w.Write([]byte("3t-pw x\nrest"))
	if buf.String() != "abc <redacted> x\n" {
		t.Fatalf("got %q", buf.String())
	}
}

type redactErrWriter struct{ n int }

func (e *redactErrWriter) Write(p []byte) (int, error) {
	e.n++
	return 0, errors.New("boom")
}

func TestRedactorWriterError(t *testing.T) {
	ew := &redactErrWriter{}
	w := NewRedactor("x").Writer(ew)
	if _, err := w.Write([]byte("a\n")); err == nil {
		t.Fatal("error not returned")
	}
	if _, err := w.Write([]byte("b\n")); err == nil || ew.n != 1 {
		t.Fatalf("error not sticky: %v, %d writes", err, ew.n)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close hides the error")
	}
}

// TestRedactorWriterRandomSplits is the property test: for real kubeadm outputs and random
// secrets placed at random positions, any split of the stream into Write calls produces exactly
// what redacting the whole text at once produces, and never contains a secret.
func TestRedactorWriterRandomSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	files := []string{"init-real.stdout", "init-dry-run-ha.stdout", "upload-certs.txt", "init-v1.17-ha-handmade.stdout", "token-create-print-join.txt"}
	alphabet := "abcdefghijklmnopqrstuvwxyz0123456789-_!@ "
	for iter := range 300 {
		in := jmtReadOnce(files[iter%len(files)])
		var secrets []string
		switch iter % 3 {
		case 0:
			tok, _ := NewBootstrapToken()
			secrets = append(secrets, tok)
		case 1:
			k, _ := NewCertificateKey()
			secrets = append(secrets, k)
		default:
			b := make([]byte, 1+rng.IntN(20))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			secrets = append(secrets, strings.TrimSpace(string(b))+"x")
		}
		// Sprinkle the secrets (and the token's secret half) into the text.
		for range 1 + rng.IntN(5) {
			s := secrets[0]
			if len(s) == 23 && rng.IntN(2) == 0 {
				s = s[7:]
			}
			p := rng.IntN(len(in) + 1)
			in = in[:p] + s + in[p:]
		}
		r := NewRedactor(secrets...)
		want, _ := r.redactAll(in, 0)
		var buf bytes.Buffer
		w := r.Writer(&buf)
		for rest := in; len(rest) > 0; {
			n := 1 + rng.IntN(min(len(rest), []int{1, 7, 64, 4096}[rng.IntN(4)]))
			w.Write([]byte(rest[:n]))
			rest = rest[n:]
		}
		w.Close()
		got := buf.String()
		if got != want {
			t.Fatalf("iteration %d: stream output differs from one-shot redaction", iter)
		}
		masked := strings.ReplaceAll(got, RedactionMarker, "\x00")
		check := secrets
		if len(secrets[0]) == 23 {
			check = append(check, secrets[0][7:])
		}
		for _, s := range check {
			if strings.Contains(masked, s) {
				t.Fatalf("iteration %d: secret %q leaked", iter, s)
			}
		}
	}
}

// TestRedactorWriterLongLine: a line longer than the buffer limit is flushed in parts without
// cutting a secret in two.
func TestRedactorWriterLongLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const secret = "Sup3r-S3cret-Passw0rd"
	for iter := range 20 {
		var sb strings.Builder
		for sb.Len() < 5*redactMaxPending {
			if rng.IntN(200) == 0 {
				sb.WriteString(secret)
			} else {
				sb.WriteByte("abcdefgh -"[rng.IntN(10)])
			}
		}
		in := sb.String()
		r := NewRedactor(secret)
		var buf bytes.Buffer
		w := r.Writer(&buf)
		flushedEarly := false
		for rest := in; len(rest) > 0; {
			n := 1 + rng.IntN(min(len(rest), 9000))
			w.Write([]byte(rest[:n]))
			rest = rest[n:]
			flushedEarly = flushedEarly || buf.Len() > 0
		}
		w.Close()
		if !flushedEarly {
			t.Fatal("long line never flushed before Close")
		}
		got := buf.String()
		if strings.Contains(strings.ReplaceAll(got, RedactionMarker, "\x00"), secret) {
			t.Fatalf("iteration %d: secret leaked", iter)
		}
		if want := r.Redact(in); got != want {
			t.Fatalf("iteration %d: output differs from Redact", iter)
		}
	}
}

// TestRedactorConcurrent: Add, Redact and Writer used from several goroutines (run with -race).
func TestRedactorConcurrent(t *testing.T) {
	r := NewRedactor()
	var buf bytes.Buffer
	w := r.Writer(&buf)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := fmt.Sprintf("secret-number-%02d", i)
			r.Add(s)
			for range 50 {
				if strings.Contains(r.Redact("x "+s+" y"), s) {
					t.Errorf("%s not masked after Add", s)
				}
				fmt.Fprintf(w, "line with %s\n", s)
			}
		}()
	}
	wg.Wait()
	w.Close()
	if strings.Contains(buf.String(), "secret-number-") {
		t.Fatal("a secret leaked through the writer")
	}
	if got := strings.Count(buf.String(), "\n"); got != 400 {
		t.Fatalf("%d lines, want 400", got)
	}
}
