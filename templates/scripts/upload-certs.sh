# Uploads the control-plane certificates again (kubeadm deletes them 2 h after init) with a fresh
# certificate key, for the masters that still have to join.
# input: KUBEADM_CONFIG InitConfiguration (the certificate key) and ClusterConfiguration

# The file holds the certificate key: 0600, removed on every way out.
trap 'rm -f /var/lib/swapboot/kubeadm-upload-certs.yaml' EXIT
trap 'exit 143' TERM INT HUP
write_file /var/lib/swapboot/kubeadm-upload-certs.yaml 0600 "$KUBEADM_CONFIG"
status=0
kubeadm init phase upload-certs --upload-certs --skip-certificate-key-print \
	--config /var/lib/swapboot/kubeadm-upload-certs.yaml --kubeconfig /etc/kubernetes/admin.conf || status=$?
rm -f /var/lib/swapboot/kubeadm-upload-certs.yaml
if [ "$status" -ne 0 ]; then
	fail "kubeadm init phase upload-certs failed with exit code $status"
fi
report changed certificates "control-plane certificates uploaded (kubeadm keeps them 2 h)"
