package joinmaterial

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ErrNoCertificatePEM means the input has no PEM block of type CERTIFICATE.
var ErrNoCertificatePEM = errors.New("no PEM CERTIFICATE block")

// CACertHash returns kubeadm's public key pin of the first CERTIFICATE PEM block in pemBytes
// (normally /etc/kubernetes/pki/ca.crt): "sha256:" + lowercase hex of the SHA-256 of the
// certificate's DER SubjectPublicKeyInfo, the value of --discovery-token-ca-cert-hash.
// Other PEM blocks before it are skipped.
func CACertHash(pemBytes []byte) (string, error) {
	rest := pemBytes
	var other []string
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			other = append(other, b.Type)
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return "", fmt.Errorf("CA certificate: PEM CERTIFICATE block is not a valid X.509 certificate: %w", err)
		}
		sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
		return "sha256:" + hex.EncodeToString(sum[:]), nil
	}
	if len(other) > 0 {
		return "", fmt.Errorf("CA certificate: %w (found only %s)", ErrNoCertificatePEM, strings.Join(other, ", "))
	}
	return "", fmt.Errorf("CA certificate: %w (the input is not PEM)", ErrNoCertificatePEM)
}

// HashMismatchError means the CA hash computed from ca.crt is not pinned by a parsed
// `kubeadm join` command. Hashes are public, so both are shown.
type HashMismatchError struct {
	Computed string   // from ca.crt
	Found    []string // every distinct hash of the join command(s), in order
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("CA certificate hash mismatch: ca.crt has %s, the kubeadm join command(s) pin [%s]",
		e.Computed, strings.Join(e.Found, " "))
}

// VerifyJoinHash checks that computed (from CACertHash) is among the
// --discovery-token-ca-cert-hash values of every parsed join command. Comparison ignores case.
// It returns ErrNoJoinCommand for an empty list, an error for a malformed computed hash, and
// *HashMismatchError when some command does not pin it.
func VerifyJoinHash(computed string, parsed []JoinCommand) error {
	if !jmHashRE.MatchString(computed) {
		return fmt.Errorf("computed CA hash %q is not sha256:<64 hex characters>", computed)
	}
	want := strings.ToLower(computed)
	if len(parsed) == 0 {
		return ErrNoJoinCommand
	}
	var found []string
	seen := map[string]bool{}
	ok := true
	for _, c := range parsed {
		has := false
		for _, h := range c.CACertHashes {
			h = strings.ToLower(h)
			if h == want {
				has = true
			}
			if !seen[h] {
				seen[h] = true
				found = append(found, h)
			}
		}
		ok = ok && has
	}
	if !ok {
		return &HashMismatchError{Computed: want, Found: found}
	}
	return nil
}
