# The kernel settings a pod network needs, set now and at every boot: br_netfilter loaded (bridged pod
# traffic then passes iptables, where kube-proxy's service rules are), net.bridge.bridge-nf-call-iptables=1
# and net.ipv4.ip_forward=1 (kubeadm's preflight requires it). overlay, the other module kubeadm's
# container runtime page lists, is the runtime's own: a running containerd already has it.
# Idempotent: prints "unchanged" when everything was already so.
# input: MODULES_FILE the modules-load.d file swapboot writes
# input: SYSCTL_FILE the sysctl.d file swapboot writes

changed=""
modules="br_netfilter
"
sysctls="net.bridge.bridge-nf-call-iptables = 1
net.ipv4.ip_forward = 1
"

# Loaded, or built into the kernel (then /proc/sys/net/bridge exists without a module).
if [ ! -d /sys/module/br_netfilter ] && [ ! -d /proc/sys/net/bridge ]; then
	if ! modprobe br_netfilter; then
		fail "cannot load the br_netfilter kernel module (modprobe br_netfilter failed); install the kernel's modules or build it in"
	fi
	echo "loaded br_netfilter"
	changed="$changed br_netfilter"
fi

# Files: written only when their content differs (command substitution drops trailing newlines on
# both sides, so they compare alike).
if [ "$(cat "$MODULES_FILE" 2>/dev/null || true)" != "$(printf '%s' "$modules")" ]; then
	write_file "$MODULES_FILE" 0644 "$modules"
	echo "wrote $MODULES_FILE"
	changed="$changed $MODULES_FILE"
fi
if [ "$(cat "$SYSCTL_FILE" 2>/dev/null || true)" != "$(printf '%s' "$sysctls")" ]; then
	write_file "$SYSCTL_FILE" 0644 "$sysctls"
	echo "wrote $SYSCTL_FILE"
	changed="$changed $SYSCTL_FILE"
fi

for key in net.bridge.bridge-nf-call-iptables net.ipv4.ip_forward; do
	file=/proc/sys/$(printf '%s' "$key" | tr . /)
	if [ "$(cat "$file" 2>/dev/null || true)" != 1 ]; then
		if ! sysctl -q -w "$key=1" >/dev/null; then
			fail "cannot set $key=1 (sysctl -w failed)"
		fi
		echo "set $key=1"
		changed="$changed $key"
	fi
done

if [ -n "$changed" ]; then
	report changed net-prereqs "br_netfilter, bridge-nf-call-iptables=1, ip_forward=1 (changed:$changed)"
else
	report unchanged net-prereqs "br_netfilter loaded, bridge-nf-call-iptables=1, ip_forward=1, persisted"
fi
