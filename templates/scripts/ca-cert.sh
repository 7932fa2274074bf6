# Prints the cluster CA certificate (public), from which swapboot computes the join CA hash.
cat /etc/kubernetes/pki/ca.crt
