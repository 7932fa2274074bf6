package lab

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// SudoMode is how a lab user may use sudo.
type SudoMode int

const (
	SudoNone       SudoMode = iota // no sudo rights
	SudoNoPassword                 // NOPASSWD: ALL, what swapboot expects by default
	SudoPassword                   // ALL, sudo asks for the user's password
)

// User is a login to create on a lab host.
type User struct {
	Name string
	// AuthorizedKey is the authorized_keys line of the user; empty means the lab's own client key.
	AuthorizedKey string
	Sudo          SudoMode
	// Password is the user's password (for SudoPassword); empty leaves the password locked.
	Password string
}

var userNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,30}$`)

// AddUser creates (or updates) a user on a running host: a home directory with the authorized key,
// and a /etc/sudoers.d entry for its sudo mode (checked with visudo). Everything lives in the host's
// own files, so lab down removes it.
func AddUser(o Options, host string, u User) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	if !userNameRE.MatchString(u.Name) || u.Name == "root" {
		return fmt.Errorf("user name %q: want [a-z_][a-z0-9_-]*, not root", u.Name)
	}
	if strings.ContainsAny(u.Password, "\n:") {
		return fmt.Errorf("user %s: the password may not contain a newline or ':'", u.Name)
	}
	key := strings.TrimSpace(u.AuthorizedKey)
	if key == "" {
		b, err := os.ReadFile(NewPaths(o.StateRoot, o.Name).Key() + ".pub")
		if err != nil {
			return fmt.Errorf("lab %s: %w", o.Name, err)
		}
		key = strings.TrimSpace(string(b))
	}
	if strings.Contains(key, "\n") {
		return fmt.Errorf("user %s: one authorized key line expected", u.Name)
	}
	sudoers := ""
	switch u.Sudo {
	case SudoNoPassword:
		sudoers = u.Name + " ALL=(ALL:ALL) NOPASSWD: ALL"
	case SudoPassword:
		if u.Password == "" {
			return fmt.Errorf("user %s: SudoPassword needs a Password", u.Name)
		}
		sudoers = u.Name + " ALL=(ALL:ALL) ALL"
	}
	// stdin: the key, the password, the sudoers line (one per line; the name is checked above).
	in := key + "\n" + u.Password + "\n" + sudoers + "\n"
	_, err := hostOutput(o, host, strings.NewReader(in), "sh", "-c", addUserScript, "add-user", u.Name)
	return err
}

const addUserScript = `set -eu
user=$1
IFS= read -r key
IFS= read -r password
IFS= read -r rule
id -u "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$user"
home=$(getent passwd "$user" | cut -d: -f6)
install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
printf '%s\n' "$key" > "$home/.ssh/authorized_keys.tmp"
chown "$user:$user" "$home/.ssh/authorized_keys.tmp"
chmod 600 "$home/.ssh/authorized_keys.tmp"
mv "$home/.ssh/authorized_keys.tmp" "$home/.ssh/authorized_keys"
if [ -n "$password" ]; then
	printf '%s:%s\n' "$user" "$password" | chpasswd
else
	usermod -p '*' "$user"
fi
f=/etc/sudoers.d/swapboot-lab-$user
if [ -n "$rule" ]; then
	command -v sudo >/dev/null || { echo "sudo is not installed on the machine (make prereqs installs it: lab/prereq/debian-packages.txt)" >&2; exit 1; }
	umask 077
	printf '%s\n' "$rule" > "$f.tmp"
	visudo -cqf "$f.tmp"
	chmod 440 "$f.tmp"
	mv "$f.tmp" "$f"
else
	rm -f "$f"
fi
`
