package output

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// The redactor is tested on the captured kubeadm outputs of package joinmaterial.
const (
	jmtTok   = "abcdef.0123456789abcdef"
	jmtHashA = "sha256:9401276b55ab1f742bcaf0b617a0ba74122bdc41c725f4201e22544def28689d"
	jmtHashB = "sha256:54ff2a7a9398b7af7fda104c3aa010017ccbffeba57c40c097acc5ce03ac1c9e"
	jmtKey   = "85a0ffa249c895f57db707d4375b523a8684b4b87786af4b8cf1b4a86cab2594"
)

var joinOutputDir = filepath.Join("..", "joinmaterial", "testdata", "joinoutput")

func jmtRead(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(joinOutputDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var jmtCache = map[string]string{}

// jmtReadOnce is jmtRead for table initialisers (no *testing.T yet).
func jmtReadOnce(name string) string {
	if s, ok := jmtCache[name]; ok {
		return s
	}
	b, err := os.ReadFile(filepath.Join(joinOutputDir, name))
	if err != nil {
		panic(err)
	}
	jmtCache[name] = string(b)
	return string(b)
}

// NewBootstrapToken and NewCertificateKey make random secrets for the property tests.
func NewBootstrapToken() (string, error) { return bootstraputil.GenerateBootstrapToken() }

func NewCertificateKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
