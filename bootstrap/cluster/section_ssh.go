// Section ssh: (cluster-wide, per host, and bastion:): one raw settings type for all three levels.

package cluster

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/big"
	"net/netip"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// cfgSSH is one level of SSH settings as written: the cluster-wide ssh:, a host's ssh:, or a bastion:.
// Which fields a level may hold is its schema in cfgKnown (only a host has hostKey:, only a bastion has
// address:, a bastion has no bastion:); fields rejects the others before they reach parseSSH.
type cfgSSH struct {
	node                               *yaml.Node
	path                               string
	user, keyFile, knownHosts, hostKey cfgStr
	port                               cfgInt
	address                            netip.Addr // bastion only
	addressSet                         bool
	bastion                            *cfgSSH
}

// parseSSH reads one level of SSH settings; schema is "ssh", "host.ssh" or "bastion".
func (p *cfgParser) parseSSH(v *yaml.Node, path, schema string) (*cfgSSH, *ConfigError) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil, nil
	}
	s := &cfgSSH{node: v, path: path}
	if schema == "bastion" && v.Kind == yaml.ScalarNode {
		// bastion: 203.0.113.5
		addr, prob, fix := cfgCheckAddress(v.Value)
		s.address = addr
		return s, p.check(v, path, prob, fix)
	}
	err := p.fields(v, path, schema, func(key string, k, v *yaml.Node) *ConfigError {
		field := path + "." + key
		var err *ConfigError
		switch key {
		case "address":
			var a cfgStr
			if a, err = p.str(v, field); err == nil && a.node != nil {
				var prob, fix string
				s.address, prob, fix = cfgCheckAddress(a.val)
				err = p.check(v, field, prob, fix)
				s.addressSet = true
			}
		case "user":
			if s.user, err = p.str(v, field); err == nil && s.user.node != nil {
				err = p.at(v, field).check(cfgCheckUser(s.user.val))
			}
		case "port":
			s.port, err = p.port(v, field)
		case "keyFile":
			if s.keyFile, err = p.str(v, field); err == nil && s.keyFile.node != nil {
				s.keyFile.val, err = p.expandPath(v, field, s.keyFile.val)
			}
		case "knownHosts":
			if s.knownHosts, err = p.str(v, field); err == nil && s.knownHosts.node != nil {
				s.knownHosts.val, err = p.expandPath(v, field, s.knownHosts.val)
			}
		case "hostKey":
			if s.hostKey, err = p.str(v, field); err == nil && s.hostKey.node != nil {
				var prob, fix string
				s.hostKey.val, prob, fix = cfgCheckHostKey(s.hostKey.val)
				err = p.check(v, field, prob, fix)
			}
		case "bastion":
			s.bastion, err = p.parseSSH(v, field, "bastion")
		}
		return err
	})
	if err == nil && schema == "bastion" && !s.addressSet {
		err = p.fail(v, path+".address", "is missing", "give the jump host's IP address, e.g. bastion: {address: 203.0.113.5}")
	}
	return s, err
}

// expandPath expands a leading "~/" and requires an absolute path. The file itself is not opened: the
// SSH layer reports missing files.
func (p *cfgParser) expandPath(n *yaml.Node, field, s string) (string, *ConfigError) {
	if s == "" {
		return "", p.fail(n, field, "is empty", "give an absolute path or one starting with ~/, or remove the line")
	}
	if s == "~" || strings.HasPrefix(s, "~/") {
		home, err := os.UserHomeDir()
		if err != nil || home == "" || !strings.HasPrefix(home, "/") {
			return "", p.fail(n, field, fmt.Sprintf("cannot expand ~ in %q: the home directory is unknown ($HOME is not set)", s), "set HOME or write an absolute path")
		}
		if s == "~" {
			return "", p.fail(n, field, "~ is a directory, not a file", "give a file, e.g. ~/.ssh/id_ed25519")
		}
		s = strings.TrimSuffix(home, "/") + s[1:]
	} else if strings.HasPrefix(s, "~") {
		return "", p.fail(n, field, fmt.Sprintf("%q: ~user is not supported", s), "write ~/... for your own home directory or an absolute path")
	}
	if !strings.HasPrefix(s, "/") {
		return "", p.fail(n, field, fmt.Sprintf("%q is not an absolute path", s), "write an absolute path such as /home/me/.ssh/id_ed25519, or start it with ~/")
	}
	return s, nil
}

func cfgCheckUser(s string) (string, string) {
	if s == "" {
		return "is empty", "give the SSH login name, e.g. root, or remove the line"
	}
	if cfgUserRE.MatchString(s) {
		return "", ""
	}
	return fmt.Sprintf("%s is not a valid user name", cfgShow(s)), "use letters, digits, _, . and - (not starting with a digit, . or -), at most 32 characters"
}

// SSH public key types a host key may have.
var cfgHostKeyTypes = []string{
	"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
	"sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
}

// cfgCheckHostKey checks an authorized_keys-style "TYPE BASE64 [comment]" key and returns "TYPE BASE64".
// It decodes the SSH wire format itself: package bootstrap does not import golang.org/x/crypto/ssh
// (docs/design.md); sshexec parses the key again when it connects.
func cfgCheckHostKey(s string) (string, string, string) {
	const fix = "paste the host's public key, e.g. the output of ssh-keyscan -t ed25519 HOST without the host name, or /etc/ssh/ssh_host_ed25519_key.pub on the host"
	f := strings.Fields(s)
	switch {
	case len(f) == 0:
		return "", "is empty", fix
	case !cfgContains(cfgHostKeyTypes, f[0]):
		if len(f) >= 2 && cfgContains(cfgHostKeyTypes, f[1]) {
			return "", "looks like a known_hosts line (it starts with the host)", "keep only the part from the key type on: " + f[1] + " AAAA..."
		}
		if strings.HasSuffix(f[0], "-cert-v01@openssh.com") {
			return "", "SSH certificates cannot be pinned", "give the host's plain public key; " + fix
		}
		return "", fmt.Sprintf("%s is not an SSH public key type", cfgShow(f[0])), fix
	case len(f) < 2:
		return "", "has no key data after " + f[0], fix
	}
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return "", "the key data is not valid base64", fix
	}
	if !cfgWireKeyOK(f[0], blob) {
		return "", "the key data is not a valid " + f[0] + " key (truncated or corrupted?)", fix
	}
	return f[0] + " " + f[1], "", ""
}

type cfgWire []byte

func (w *cfgWire) next() ([]byte, bool) {
	if len(*w) < 4 {
		return nil, false
	}
	n := binary.BigEndian.Uint32(*w)
	if uint64(n) > uint64(len(*w)-4) {
		return nil, false
	}
	b := (*w)[4 : 4+n]
	*w = (*w)[4+n:]
	return b, true
}

func cfgWireKeyOK(typ string, blob []byte) bool {
	w := cfgWire(blob)
	t, ok := w.next()
	if !ok || string(t) != typ {
		return false
	}
	fields := func(n int) [][]byte {
		var out [][]byte
		for i := 0; i < n; i++ {
			b, ok := w.next()
			if !ok {
				return nil
			}
			out = append(out, b)
		}
		if len(w) != 0 {
			return nil
		}
		return out
	}
	point := func(curve string, b [][]byte) bool {
		if b == nil || string(b[0]) != curve {
			return false
		}
		c := map[string]ecdh.Curve{"nistp256": ecdh.P256(), "nistp384": ecdh.P384(), "nistp521": ecdh.P521()}[curve]
		if c == nil {
			return false
		}
		_, err := c.NewPublicKey(b[1]) // checks the point is on the curve
		return err == nil
	}
	// mpint: big-endian two's complement.
	positive := func(b []byte) (*big.Int, bool) {
		if len(b) == 0 || b[0]&0x80 != 0 {
			return nil, false
		}
		return new(big.Int).SetBytes(b), true
	}
	switch typ {
	case "ssh-ed25519":
		b := fields(1)
		return b != nil && len(b[0]) == 32
	case "sk-ssh-ed25519@openssh.com":
		b := fields(2)
		return b != nil && len(b[0]) == 32
	case "ssh-rsa":
		b := fields(2)
		if b == nil {
			return false
		}
		e, ok1 := positive(b[0])
		n, ok2 := positive(b[1])
		return ok1 && ok2 && e.BitLen() <= 24 && e.Int64() >= 3 && e.Bit(0) == 1 && n.BitLen() >= 512 && n.BitLen() <= 16384
	case "sk-ecdsa-sha2-nistp256@openssh.com":
		return point("nistp256", fields(3))
	default: // ecdsa-sha2-nistpNNN
		return point(strings.TrimPrefix(typ, "ecdsa-sha2-"), fields(2))
	}
}

func cfgApplySSH(s *SSH, raw *cfgSSH) {
	if raw.user.node != nil {
		s.User = raw.user.val
	}
	if raw.port.node != nil {
		s.Port = raw.port.val
	}
	if raw.keyFile.node != nil {
		s.KeyFile = raw.keyFile.val
	}
	if raw.knownHosts.node != nil {
		s.KnownHosts = raw.knownHosts.val
	}
	if raw.hostKey.node != nil {
		s.HostKey = raw.hostKey.val
	}
}

// cfgBuildBastion fills a bastion's unset user, keyFile and knownHosts from the ssh settings of the
// level it is declared at.
func cfgBuildBastion(raw *cfgSSH, base SSH) *Bastion {
	b := &Bastion{Address: raw.address.String(), Port: DefaultSSHPort, User: base.User, KeyFile: base.KeyFile, KnownHosts: base.KnownHosts, HostKey: raw.hostKey.val}
	if raw.port.node != nil {
		b.Port = raw.port.val
	}
	if raw.user.node != nil {
		b.User = raw.user.val
	}
	if raw.keyFile.node != nil {
		b.KeyFile = raw.keyFile.val
	}
	if raw.knownHosts.node != nil {
		b.KnownHosts = raw.knownHosts.val
	}
	return b
}
