package joinmaterial

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cahtNewCA returns a self-signed CA like kubeadm's ca.crt (PEM) and the expected pin computed
// by another route: x509.MarshalPKIXPublicKey of the parsed certificate's public key.
func cahtNewCA(t *testing.T, key crypto.Signer) (pemBytes []byte, want string) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kubernetes"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(cert.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(spki)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), "sha256:" + hex.EncodeToString(sum[:])
}

func TestCACertHash(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM, rsaWant := cahtNewCA(t, rsaKey)
	ecPEM, ecWant := cahtNewCA(t, ecKey)
	edPEM, edWant := cahtNewCA(t, edKey)
	keyDER, _ := x509.MarshalECPrivateKey(ecKey)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	crlf := []byte(strings.ReplaceAll(string(rsaPEM), "\n", "\r\n"))

	tests := []struct {
		name    string
		in      []byte
		want    string
		noPEM   bool   // errors.Is ErrNoCertificatePEM
		errText string // other error
	}{
		{name: "RSA CA", in: rsaPEM, want: rsaWant},
		{name: "ECDSA CA", in: ecPEM, want: ecWant},
		{name: "Ed25519 CA", in: edPEM, want: edWant},
		{name: "CRLF", in: crlf, want: rsaWant},
		{name: "text around the block", in: append(append([]byte("subject=CN = kubernetes\n"), ecPEM...), "trailer\n"...), want: ecWant},
		{name: "key block first is skipped", in: append(append([]byte{}, keyPEM...), ecPEM...), want: ecWant},
		{name: "bundle: first certificate wins", in: append(append([]byte{}, ecPEM...), rsaPEM...), want: ecWant},
		{name: "empty", in: nil, noPEM: true},
		{name: "not PEM", in: []byte("hello\n"), noPEM: true, errText: "not PEM"},
		{name: "DER instead of PEM", in: cahtDER(t, ecPEM), noPEM: true},
		{name: "only a key", in: keyPEM, noPEM: true, errText: "EC PRIVATE KEY"},
		{name: "garbage certificate", in: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("garbage")}), errText: "not a valid X.509 certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CACertHash(tc.in)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				if !regexp.MustCompile(`^sha256:[a-f0-9]{64}$`).MatchString(got) {
					t.Fatalf("bad format %q", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, got %q", got)
			}
			if errors.Is(err, ErrNoCertificatePEM) != tc.noPEM {
				t.Fatalf("errors.Is(ErrNoCertificatePEM) = %v, want %v (%v)", !tc.noPEM, tc.noPEM, err)
			}
			if !strings.Contains(err.Error(), tc.errText) {
				t.Fatalf("error %q does not contain %q", err, tc.errText)
			}
		})
	}
}

func cahtDER(t *testing.T, p []byte) []byte {
	b, _ := pem.Decode(p)
	if b == nil {
		t.Fatal("bad PEM")
	}
	return b.Bytes
}

// TestCACertHashRealCluster cross-checks against real kubeadm v1.37.2 output: join-dry-run-badhash.txt
// prints the cluster CA (cluster-info kubeconfig, certificate-authority-data) and, in the error,
// the pin kubeadm computed for it; token-create-print-join.txt is from the same cluster.
func TestCACertHashRealCluster(t *testing.T) {
	const want = "sha256:5f7398db779e9cba79ee69ff0d40f8bb1fba4f1401a17e0daaa42b298859e32b"
	out := jmtRead(t, "join-dry-run-badhash.txt")
	m := regexp.MustCompile(`certificate-authority-data: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no certificate-authority-data in join-dry-run-badhash.txt")
	}
	caPEM, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `none of the public keys "`+want+`" are pinned`) {
		t.Fatal("fixture changed: kubeadm's own pin not found")
	}
	got, err := CACertHash(caPEM)
	if err != nil || got != want {
		t.Fatalf("CACertHash = %q, %v; want %q", got, err, want)
	}
	cmds, err := ParseJoinCommands(jmtRead(t, "token-create-print-join.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyJoinHash(got, cmds); err != nil {
		t.Fatalf("VerifyJoinHash: %v", err)
	}
	// init-real.stdout is another cluster.
	other, err := ParseJoinCommands(jmtRead(t, "init-real.stdout"))
	if err != nil {
		t.Fatal(err)
	}
	var hm *HashMismatchError
	if err := VerifyJoinHash(got, other); !errors.As(err, &hm) {
		t.Fatalf("want *HashMismatchError, got %v", err)
	}
}

func TestVerifyJoinHash(t *testing.T) {
	cmd := func(hashes ...string) JoinCommand {
		return JoinCommand{APIServerEndpoint: "10.0.0.1:6443", Token: jmtTok, CACertHashes: hashes}
	}
	tests := []struct {
		name      string
		computed  string
		parsed    []JoinCommand
		mismatch  []string // want *HashMismatchError with this Found
		noCommand bool
		invalid   bool
	}{
		{name: "match", computed: jmtHashA, parsed: []JoinCommand{cmd(jmtHashA)}},
		{name: "match among several", computed: jmtHashB, parsed: []JoinCommand{cmd(jmtHashA, jmtHashB)}},
		{name: "case-insensitive", computed: "SHA256:" + strings.ToUpper(jmtHashA[7:]), parsed: []JoinCommand{cmd(jmtHashA)}},
		{name: "every command must pin it", computed: jmtHashA, parsed: []JoinCommand{cmd(jmtHashA), cmd(jmtHashB)}, mismatch: []string{jmtHashA, jmtHashB}},
		{name: "mismatch", computed: jmtHashA, parsed: []JoinCommand{cmd(jmtHashB), cmd(jmtHashB)}, mismatch: []string{jmtHashB}},
		{name: "no commands", computed: jmtHashA, parsed: nil, noCommand: true},
		{name: "malformed computed", computed: "sha256:abc", parsed: []JoinCommand{cmd(jmtHashA)}, invalid: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyJoinHash(tc.computed, tc.parsed)
			var hm *HashMismatchError
			switch {
			case tc.mismatch != nil:
				if !errors.As(err, &hm) {
					t.Fatalf("want *HashMismatchError, got %v", err)
				}
				if hm.Computed != strings.ToLower(tc.computed) || !reflect.DeepEqual(hm.Found, tc.mismatch) {
					t.Fatalf("got %#v", hm)
				}
				if !strings.Contains(err.Error(), tc.computed) || !strings.Contains(err.Error(), tc.mismatch[0]) {
					t.Fatalf("message lacks the hashes: %v", err)
				}
			case tc.noCommand:
				if !errors.Is(err, ErrNoJoinCommand) {
					t.Fatalf("want ErrNoJoinCommand, got %v", err)
				}
			case tc.invalid:
				if err == nil || errors.As(err, &hm) {
					t.Fatalf("want a format error, got %v", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
