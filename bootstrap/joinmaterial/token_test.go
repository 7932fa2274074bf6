package joinmaterial

import (
	"encoding/hex"
	"regexp"
	"testing"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

func TestNewBootstrapToken(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9]{6}\.[a-z0-9]{16}$`)
	seen := map[string]bool{}
	for range 200 {
		tok, err := NewBootstrapToken()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(tok) || !bootstraputil.IsValidBootstrapToken(tok) {
			t.Fatalf("invalid token %q", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
		// The parser accepts what we generate.
		cmds, err := ParseJoinCommands("kubeadm join 10.0.0.1:6443 --token " + tok + " --discovery-token-ca-cert-hash " + jmtHashA)
		if err != nil || cmds[0].Token != tok {
			t.Fatalf("parse: %v %v", cmds, err)
		}
	}
}

func TestNewCertificateKey(t *testing.T) {
	re := regexp.MustCompile(`^[a-f0-9]{64}$`)
	seen := map[string]bool{}
	for range 200 {
		k, err := NewCertificateKey()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(k) {
			t.Fatalf("invalid key %q", k)
		}
		if b, err := hex.DecodeString(k); err != nil || len(b) != 32 {
			t.Fatalf("key %q does not decode to 32 bytes", k)
		}
		if seen[k] {
			t.Fatalf("duplicate key")
		}
		seen[k] = true
	}
}
