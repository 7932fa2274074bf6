# Restarts the kubelet so it reads a changed env file or configuration.
systemctl restart kubelet
report changed kubelet "kubelet restarted"
