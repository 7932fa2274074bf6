package joinmaterial

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// certificateKeyBytes is kubeadm's CertificateKeySize (an AES-256 key).
const certificateKeyBytes = 32

// NewBootstrapToken returns a fresh random bootstrap token "[a-z0-9]{6}.[a-z0-9]{16}" (what
// `kubeadm token generate` prints), to pass to kubeadm init / join ourselves instead of scraping it.
func NewBootstrapToken() (string, error) {
	t, err := bootstraputil.GenerateBootstrapToken()
	if err != nil {
		return "", fmt.Errorf("generate bootstrap token: %w", err)
	}
	if !bootstraputil.IsValidBootstrapToken(t) {
		return "", fmt.Errorf("generate bootstrap token: generated value is not a valid token")
	}
	return t, nil
}

// NewCertificateKey returns a fresh random certificate key for `kubeadm init --upload-certs`: 32 random bytes
// as 64 lowercase hex characters (what `kubeadm certs certificate-key` prints). A secret: it decrypts the
// cluster's CA keys stored in the kubeadm-certs Secret.
func NewCertificateKey() (string, error) {
	b := make([]byte, certificateKeyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate certificate key: %w", err)
	}
	return hex.EncodeToString(b), nil
}
