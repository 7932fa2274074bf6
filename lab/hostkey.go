package lab

import (
	"strings"
)

const hostKeyFile = "/etc/ssh/ssh_host_ed25519_key"

// HostKey returns the host's ed25519 host key as an authorized_keys line ("ssh-ed25519 AAAA... root@host"),
// the form of a cluster file's hostKey: field.
func HostKey(o Options, host string) (string, error) {
	out, err := hostOutput(o, host, nil, "cat", hostKeyFile+".pub")
	return strings.TrimSpace(out), err
}

// RegenerateHostKey gives a running host a new ed25519 host key, as a reinstall would, reloads sshd
// and returns the new public key line. The lab's known_hosts keeps the old key on purpose (clients that
// check it must refuse the host); sshd's ports are read from the host's configuration.
func RegenerateHostKey(o Options, host string) (string, error) {
	if err := o.Normalize(); err != nil {
		return "", err
	}
	h, err := loadHost(o, host)
	if err != nil {
		return "", err
	}
	priv, pub, err := newKeyPair("root@" + h.Name)
	if err != nil {
		return "", err
	}
	script := `set -eu
umask 077
key=$1
cat > "$key.new"
printf '%s\n' "$3" > "$key.pub.new"
chmod 644 "$key.pub.new"
mv "$key.new" "$key"
mv "$key.pub.new" "$key.pub"
set -- "$key" "$(sshd -T 2>/dev/null | awk '$1 == "port" {print $2}' | tr '\n' ' ')"
systemctl reload ssh
` + waitSSHDScript
	if _, err := hostOutput(o, h.Name, strings.NewReader(string(priv)), "sh", "-c", script, "hostkey", hostKeyFile, "", pub); err != nil {
		return "", err
	}
	return pub, nil
}

// loadHost reads the lab's state and finds a host by name, short name or IP.
func loadHost(o Options, host string) (Host, error) {
	st, err := NewPaths(o.StateRoot, o.Name).LoadState()
	if err != nil {
		return Host{}, err
	}
	return st.Host(host)
}
