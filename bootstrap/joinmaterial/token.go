package joinmaterial

import (
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
