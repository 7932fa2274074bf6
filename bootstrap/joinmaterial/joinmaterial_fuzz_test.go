package joinmaterial

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/swapboot/swapboot/bootstrap/output"
)

// FuzzParseJoinCommands: never panics; a successful parse returns at least one command, each
// with a valid token, at least one sha256:<64 lowercase hex> hash, a host:port endpoint and an
// empty or 64-hex certificate key; re-rendering the commands parses to the same commands; an
// error returns no command and never contains something shaped like a bootstrap token.
// Seed corpus: testdata/fuzz/FuzzParseJoinCommands.
func FuzzParseJoinCommands(f *testing.F) {
	// More seeds (real kubeadm final blocks, 1.14/1.17 forms, withheld values) are committed.
	f.Add("kubeadm join 10.0.0.1:6443 --token " + jmtTok + " \\\n\t--discovery-token-ca-cert-hash " + jmtHashA + " \n")
	hashRE := regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	keyRE := regexp.MustCompile(`^[a-fA-F0-9]{64}$`)
	f.Fuzz(func(t *testing.T, out string) {
		cmds, err := ParseJoinCommands(out)
		if err != nil {
			if cmds != nil {
				t.Fatalf("commands with an error: %v", cmds)
			}
			if msg := err.Error(); output.RedactKnownPatterns(msg) != msg {
				t.Fatalf("error message contains a token-shaped value: %q", msg)
			}
			var je *JoinCommandError
			var we *WithheldValueError
			if !errors.Is(err, ErrNoJoinCommand) && !errors.As(err, &je) && !errors.As(err, &we) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if len(cmds) == 0 {
			t.Fatal("no commands and no error")
		}
		var canon []string
		for _, c := range cmds {
			if !bootstraputil.IsValidBootstrapToken(c.Token) {
				t.Fatalf("invalid token %q", c.Token)
			}
			if len(c.CACertHashes) == 0 {
				t.Fatal("no hash")
			}
			for _, h := range c.CACertHashes {
				if !hashRE.MatchString(h) {
					t.Fatalf("invalid hash %q", h)
				}
			}
			if jmCheckEndpoint(c.APIServerEndpoint) != nil {
				t.Fatalf("invalid endpoint %q", c.APIServerEndpoint)
			}
			if c.CertificateKey != "" && !keyRE.MatchString(c.CertificateKey) {
				t.Fatalf("invalid certificate key %q", c.CertificateKey)
			}
			if strings.Contains(c.String(), c.Token) {
				t.Fatal("String() shows the token")
			}
			canon = append(canon, "kubeadm "+strings.Join(c.Args(), " "))
		}
		again, err := ParseJoinCommands(strings.Join(canon, "\n"))
		if err != nil || !reflect.DeepEqual(again, cmds) {
			t.Fatalf("re-rendered commands parse to %v, %v; want %v", again, err, cmds)
		}
	})
}
