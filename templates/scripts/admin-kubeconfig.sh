# Prints the cluster's admin kubeconfig, which swapboot saves on the controller with mode 0600.
cat /etc/kubernetes/admin.conf
