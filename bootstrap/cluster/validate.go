package cluster

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/big"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/version"

	"github.com/swapboot/swapboot/bootstrap/versions"
)

// Value checks. Each returns ("", "") when the value is fine, else what is wrong and how to fix it.
// Values with a strict grammar (names, users, paths, addresses, versions) are checked against it, so
// no shell metacharacter can reach a remote shell through them; other values are quoted by templates.

const (
	cfgMiB          = int64(1) << 20
	cfgMinSwapMiB   = 64
	cfgMaxSwapMiB   = 1 << 20 // 1T
	cfgMaxValueShow = 60
)

var (
	cfgClusterNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	cfgVersionRE     = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	cfgMinorOnlyRE   = regexp.MustCompile(`^v?[0-9]+\.[0-9]+$`)
	cfgUserRE        = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,31}$`)
	cfgSafePathRE    = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
	cfgSizeRE        = regexp.MustCompile(`^([0-9]+)(\.[0-9]+)?([KMGT])(i?)(B?)$`)
	cfgSizeLooseRE   = regexp.MustCompile(`(?i)^([0-9]+)(\.[0-9]+)?([kmgt])(i?)(b?)$`)
	cfgNumberRE      = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	cfgPreflightRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$`)
	cfgFlagNameRE    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

func cfgCheckClusterName(s string) (string, string) {
	if s == "" {
		return "is empty", "name the cluster, e.g. name: lab (the kubeconfig is written to lab.kubeconfig)"
	}
	if len(s) <= 63 && cfgClusterNameRE.MatchString(s) {
		return "", ""
	}
	prob := fmt.Sprintf("%s is not a valid cluster name", cfgShow(s))
	if len(s) > 63 {
		return prob + fmt.Sprintf(" (%d characters)", len(s)), "use at most 63 characters"
	}
	if alt := strings.ReplaceAll(strings.ToLower(s), "_", "-"); alt != s && len(alt) <= 63 && cfgClusterNameRE.MatchString(alt) {
		return prob, fmt.Sprintf("did you mean %s? use lowercase letters, digits and -", alt)
	}
	return prob, "use lowercase letters, digits and - (not at the start or end), at most 63 characters, e.g. lab"
}

// cfgCheckVersion accepts 1.30.4 or v1.30.4 and returns v1.30.4.
func cfgCheckVersion(s string) (string, string, string) {
	if s == "" {
		return "", "is empty", "write a version such as v1.37.2, or remove the line to use the version of kubeadm on the first master"
	}
	if cfgMinorOnlyRE.MatchString(s) {
		return "", fmt.Sprintf("%s has no patch version", cfgShow(s)), fmt.Sprintf("write the full version, e.g. %s.0", "v"+strings.TrimPrefix(s, "v"))
	}
	if !cfgVersionRE.MatchString(s) {
		return "", fmt.Sprintf("%s is not a Kubernetes version", cfgShow(s)), "write a version such as v1.37.2"
	}
	v, err := version.ParseSemantic(strings.TrimPrefix(s, "v"))
	if err != nil {
		return "", fmt.Sprintf("%s is not a Kubernetes version", cfgShow(s)), "write a version such as v1.37.2"
	}
	if !versions.Supported(v.Major(), v.Minor()) {
		return "", fmt.Sprintf("Kubernetes %s is not supported", "v"+v.String()), "swapboot supports " + versions.Range() + "; choose a version in that range"
	}
	return "v" + v.String(), "", ""
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

// cfgCheckAddress accepts an IPv4 or IPv6 literal (no host names, zones or ports).
func cfgCheckAddress(s string) (netip.Addr, string, string) {
	const fix = "write the host's IPv4 or IPv6 address, e.g. 192.168.122.50 (host names are not accepted)"
	if s == "" {
		return netip.Addr{}, "is empty", fix
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		switch {
		case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
			return netip.Addr{}, fmt.Sprintf("%s has brackets", cfgShow(s)), fmt.Sprintf("write the IPv6 address without them: %s", strings.Trim(s, "[]"))
		case strings.Contains(s, "/"):
			return netip.Addr{}, fmt.Sprintf("%s is a range, not an address", cfgShow(s)), fix
		}
		if host, port, ok := strings.Cut(s, ":"); ok && !strings.Contains(port, ":") {
			if _, err := netip.ParseAddr(host); err == nil && cfgAllDigits(port) {
				return netip.Addr{}, fmt.Sprintf("%s contains a port", cfgShow(s)), fmt.Sprintf("give the port under the host's ssh: {address: %s, ssh: {port: %s}}", host, port)
			}
		}
		return netip.Addr{}, fmt.Sprintf("%s is not an IP address", cfgShow(s)), fix
	}
	switch {
	case a.Zone() != "":
		return netip.Addr{}, fmt.Sprintf("%s has an IPv6 zone", cfgShow(s)), "zones (%eth0) are not supported; use a global or unique-local address"
	case a.Is4In6():
		return netip.Addr{}, fmt.Sprintf("%s is an IPv4-mapped IPv6 address", cfgShow(s)), fmt.Sprintf("write the IPv4 address: %s", a.Unmap())
	case a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return netip.Addr{}, fmt.Sprintf("%s cannot be a host's address", cfgShow(s)), fix
	}
	return a, "", ""
}

func cfgAllDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func cfgCheckNodeName(s string) (string, string) {
	if s == "" {
		return "is empty", "give a node name such as worker1, or remove the line to use the host's hostname"
	}
	if len(validation.IsDNS1123Subdomain(s)) == 0 {
		return "", ""
	}
	prob := fmt.Sprintf("%s is not a valid node name", cfgShow(s))
	if alt := strings.ReplaceAll(strings.ToLower(s), "_", "-"); alt != s && len(validation.IsDNS1123Subdomain(alt)) == 0 {
		return prob, fmt.Sprintf("did you mean %s? node names are lowercase DNS names", alt)
	}
	return prob, "use lowercase letters, digits, - and . (starting and ending with a letter or digit), at most 253 characters"
}

// cfgCheckSubnet accepts one canonical CIDR of a size Kubernetes can use.
func cfgCheckSubnet(s string, service bool) (netip.Prefix, string, string) {
	eg := DefaultPodSubnet
	if service {
		eg = DefaultServiceSubnet
	}
	if s == "" {
		return netip.Prefix{}, "is empty", fmt.Sprintf("write a CIDR such as %s, or remove the line for that default", eg)
	}
	if strings.Contains(s, ",") {
		return netip.Prefix{}, fmt.Sprintf("%s lists several ranges", cfgShow(s)), "dual-stack is not supported; give one CIDR, e.g. " + eg
	}
	if !strings.Contains(s, "/") {
		return netip.Prefix{}, fmt.Sprintf("%s has no prefix length", cfgShow(s)), "write a CIDR such as " + eg
	}
	pr, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Sprintf("%s is not a valid CIDR", cfgShow(s)), "write a CIDR such as " + eg
	}
	if pr.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Sprintf("%s is an IPv4-mapped IPv6 range", cfgShow(s)), "write it as an IPv4 CIDR such as " + eg
	}
	if m := pr.Masked(); m != pr {
		return netip.Prefix{}, fmt.Sprintf("%s has bits set after the prefix", cfgShow(s)), fmt.Sprintf("did you mean %s?", m)
	}
	bits, ones := pr.Addr().BitLen(), pr.Bits()
	v6 := pr.Addr().Is6()
	if service {
		switch max := "/12"; {
		case bits-ones > 20:
			if v6 {
				max = "/108"
			}
			return netip.Prefix{}, fmt.Sprintf("%s is too large: Kubernetes allows at most 2^20 service addresses", s), "use a prefix of " + max + " or longer, e.g. " + cfgAlt(v6, DefaultServiceSubnet, "fd00:10:96::/108")
		case bits-ones < 4:
			min := "/28"
			if v6 {
				min = "/124"
			}
			return netip.Prefix{}, fmt.Sprintf("%s is too small: kubeadm gives the 10th address to cluster DNS", s), "use a prefix of " + min + " or shorter, e.g. " + cfgAlt(v6, DefaultServiceSubnet, "fd00:10:96::/108")
		}
		return pr, "", ""
	}
	// The controller manager gives each node a /24 (IPv4) or /64 (IPv6) from the pod subnet, and at most
	// 2^16 of them.
	node := 24
	if v6 {
		node = 64
	}
	switch {
	case ones > node:
		return netip.Prefix{}, fmt.Sprintf("%s is too small: every node gets a /%d from it", s, node), fmt.Sprintf("use a prefix of /%d or shorter, e.g. %s", node, cfgAlt(v6, DefaultPodSubnet, "fd00:10:244::/56"))
	case node-ones > 16:
		return netip.Prefix{}, fmt.Sprintf("%s is too large: it would hold more than 65536 node ranges of /%d", s, node), fmt.Sprintf("use a prefix of /%d or longer, e.g. %s", node-16, cfgAlt(v6, DefaultPodSubnet, "fd00:10:244::/56"))
	}
	return pr, "", ""
}

func cfgAlt(v6 bool, v4s, v6s string) string {
	if v6 {
		return v6s
	}
	return v4s
}

// cfgCheckSize reads 512M, 1G, 1Gi, 2GiB, 1.5G (K, M, G, T are powers of 1024) and rounds to whole MiB.
func cfgCheckSize(s string) (int64, string, string) {
	const fix = "write a number with a unit K, M, G or T (powers of 1024), e.g. 512M or 2G"
	if s == "" {
		return 0, "is empty", fix
	}
	if len(s) > 32 {
		return 0, fmt.Sprintf("%s is not a size", cfgShow(s)), fix
	}
	m := cfgSizeRE.FindStringSubmatch(s)
	if m == nil {
		if l := cfgSizeLooseRE.FindStringSubmatch(s); l != nil {
			alt := l[1] + l[2] + strings.ToUpper(l[3]) + strings.ToLower(l[4]) + strings.ToUpper(l[5])
			return 0, fmt.Sprintf("%s has a lowercase unit", cfgShow(s)), fmt.Sprintf("did you mean %s? units are K, M, G, T", alt)
		}
		t := strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(t, "-"):
			return 0, fmt.Sprintf("%s is negative", cfgShow(s)), "write a positive size such as 1G"
		case strings.ContainsAny(t, " \t"):
			return 0, fmt.Sprintf("%s contains a space", cfgShow(s)), fmt.Sprintf("write it without spaces: %s", strings.Join(strings.Fields(t), ""))
		case t != "" && strings.Trim(t, "0123456789.") == "":
			return 0, fmt.Sprintf("%s has no unit", cfgShow(s)), "write the unit, e.g. " + t + "M (K, M, G, T are powers of 1024)"
		}
		num := strings.TrimRight(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
		if cfgNumberRE.MatchString(num) && num != t {
			return 0, fmt.Sprintf("%s has an unknown unit %s", cfgShow(s), cfgShow(t[len(num):])), fix
		}
		return 0, fmt.Sprintf("%s is not a size", cfgShow(s)), fix
	}
	r, ok := new(big.Rat).SetString(m[1] + m[2])
	if !ok {
		return 0, fmt.Sprintf("%s is not a size", cfgShow(s)), fix
	}
	shift := map[string]uint{"K": 10, "M": 20, "G": 30, "T": 40}[m[3]]
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), shift)))
	r.Quo(r, new(big.Rat).SetInt64(cfgMiB))
	// round half up: floor((2*num + den) / (2*den))
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	num.Add(num, r.Denom())
	mib := num.Quo(num, new(big.Int).Mul(r.Denom(), big.NewInt(2)))
	switch {
	case mib.Cmp(big.NewInt(cfgMinSwapMiB)) < 0:
		return 0, fmt.Sprintf("%s is too small", s), fmt.Sprintf("the minimum is %dM", cfgMinSwapMiB)
	case mib.Cmp(big.NewInt(cfgMaxSwapMiB)) > 0:
		return 0, fmt.Sprintf("%s is too large", s), "the maximum is 1T"
	}
	return mib.Int64() * cfgMiB, "", ""
}

// Directories a swap file must not be placed in: virtual or tmpfs file systems, the often small /boot,
// and the directories kubeadm reset deletes.
var cfgSwapForbidden = []struct{ dir, why string }{
	{"/proc", "a virtual file system"},
	{"/sys", "a virtual file system"},
	{"/dev", "a device file system"},
	{"/run", "usually a tmpfs (in memory)"},
	{"/var/run", "usually a tmpfs (in memory)"},
	{"/tmp", "often a tmpfs (in memory) and cleaned at boot"},
	{"/boot", "usually a small separate partition"},
	{"/etc/kubernetes", "deleted by kubeadm reset"},
	{"/var/lib/kubelet", "deleted by kubeadm reset"},
	{"/var/lib/etcd", "deleted by kubeadm reset"},
}

// Top-level directories that cannot be the swap file itself.
var cfgSystemDirs = map[string]bool{
	"/bin": true, "/etc": true, "/home": true, "/lib": true, "/lib64": true, "/media": true, "/mnt": true, "/opt": true,
	"/root": true, "/sbin": true, "/srv": true, "/usr": true, "/var": true, "/var/lib": true, "/snap": true,
}

func cfgCheckSwapPath(s string) (string, string) {
	const fix = "give an absolute file path such as /swapfile"
	switch {
	case s == "":
		return "is empty", fix
	case !strings.HasPrefix(s, "/"):
		return fmt.Sprintf("%s is not an absolute path", cfgShow(s)), fix
	case !cfgSafePathRE.MatchString(s):
		return fmt.Sprintf("%s contains characters other than letters, digits, ., _, - and /", cfgShow(s)), "the path reaches remote shell commands; " + fix
	case s == "/":
		return "/ is a directory", fix
	case len(s) > 1024:
		return "the path is too long", fix
	}
	if c := path.Clean(s); c != s {
		if c == "/" {
			return fmt.Sprintf("%s is the root directory", cfgShow(s)), fix
		}
		return fmt.Sprintf("%s is not a clean path (no .., ., // or trailing /)", cfgShow(s)), fmt.Sprintf("did you mean %s?", c)
	}
	for _, f := range cfgSwapForbidden {
		if s == f.dir || strings.HasPrefix(s, f.dir+"/") {
			return fmt.Sprintf("%s is under %s, %s", s, f.dir, f.why), "put the swap file on a disk file system, e.g. /swapfile or /var/swapfile"
		}
	}
	if cfgSystemDirs[s] {
		return fmt.Sprintf("%s is a system directory", s), "give a file path such as " + s + "/swapfile or /swapfile"
	}
	return "", ""
}

func cfgCheckBehavior(s string) (string, string) {
	valid := []string{string(SwapAuto), string(SwapNoSwap), string(SwapLimitedSwap)}
	if cfgContains(valid, s) {
		return "", ""
	}
	if strings.EqualFold(s, "UnlimitedSwap") {
		return "UnlimitedSwap was removed in Kubernetes 1.30 and is not supported", "use LimitedSwap (Burstable pods may swap in proportion to their memory request), NoSwap, or auto"
	}
	if alt := cfgSuggest(s, valid); alt != "" {
		return fmt.Sprintf("unknown behavior %s", cfgShow(s)), fmt.Sprintf("did you mean %s? (spelled exactly so: auto, NoSwap or LimitedSwap)", alt)
	}
	return fmt.Sprintf("unknown behavior %s", cfgShow(s)), "use auto, NoSwap or LimitedSwap"
}

func cfgCheckCRISocket(s string) (string, string) {
	const fix = "write e.g. unix:///run/containerd/containerd.sock, or remove the line to let kubeadm detect it"
	rest, ok := strings.CutPrefix(s, "unix://")
	switch {
	case s == "":
		return "is empty", fix
	case strings.HasPrefix(s, "/") && cfgSafePathRE.MatchString(s) && path.Clean(s) == s:
		return fmt.Sprintf("%s has no unix:// scheme", cfgShow(s)), fmt.Sprintf("write unix://%s", s)
	case !ok:
		return fmt.Sprintf("%s is not a unix:// socket", cfgShow(s)), fix
	case !strings.HasPrefix(rest, "/"):
		if cfgSafePathRE.MatchString(rest) {
			return fmt.Sprintf("%s is not an absolute socket path", cfgShow(s)), fmt.Sprintf("write three slashes: unix:///%s", rest)
		}
		return fmt.Sprintf("%s is not an absolute socket path", cfgShow(s)), fix
	case !cfgSafePathRE.MatchString(rest):
		return fmt.Sprintf("%s contains characters other than letters, digits, ., _, - and /", cfgShow(s)), fix
	case rest == "/" || path.Clean(rest) != rest:
		return fmt.Sprintf("%s is not a clean socket path", cfgShow(s)), fix
	}
	return "", ""
}

func cfgCheckPullPolicy(s string) (string, string) {
	valid := []string{"Always", "IfNotPresent", "Never"}
	if cfgContains(valid, s) {
		return "", ""
	}
	if alt := cfgSuggest(s, valid); alt != "" {
		return fmt.Sprintf("unknown policy %s", cfgShow(s)), fmt.Sprintf("did you mean %s?", alt)
	}
	return fmt.Sprintf("unknown policy %s", cfgShow(s)), "use Always, IfNotPresent or Never"
}

func cfgCheckPreflightName(s string) (string, string) {
	if cfgPreflightRE.MatchString(s) {
		return "", ""
	}
	return fmt.Sprintf("%s is not a preflight check name", cfgShow(s)), "use the names kubeadm prints, e.g. SystemVerification, NumCPU, Mem or all (letters, digits, ., _ and -)"
}

func cfgCheckFlagName(s string) (string, string) {
	if cfgFlagNameRE.MatchString(s) {
		return "", ""
	}
	if t := strings.TrimLeft(s, "-"); t != s && cfgFlagNameRE.MatchString(t) {
		return fmt.Sprintf("%s starts with -", cfgShow(s)), fmt.Sprintf("write the flag name without dashes: %s", t)
	}
	return fmt.Sprintf("%s is not a kubelet flag name", cfgShow(s)), "use the flag name without --, e.g. node-labels (lowercase letters, digits and -)"
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

// cfgSuggest returns the candidate closest to word (same letters in another case, or at most two edits
// away; one for short names), or "".
func cfgSuggest(word string, cands []string) string {
	best, bestD := "", 100
	lw := strings.ToLower(word)
	for _, c := range cands {
		if strings.EqualFold(c, word) {
			return c
		}
		limit := 2
		if len(c) <= 4 {
			limit = 1
		}
		if d := cfgDistance(lw, strings.ToLower(c)); d <= limit && d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// cfgDistance is the optimal string alignment distance (a swap of neighbours counts as one edit).
func cfgDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 100
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// cfgIsControl reports runes no value may contain: C0/C1 controls (newline and tab included), DEL, and
// invisible line separators and bidi overrides.
func cfgIsControl(r rune) bool {
	return unicode.IsControl(r) || r == 0x2028 || r == 0x2029 || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == utf8.RuneError
}

func cfgFindControl(s string) (rune, bool) {
	for _, r := range s {
		if cfgIsControl(r) {
			return r, true
		}
	}
	return 0, false
}

func cfgDescribeRune(r rune) string {
	switch r {
	case '\n':
		return "a newline"
	case '\r':
		return "a carriage return"
	case '\t':
		return "a tab"
	case 0:
		return "a NUL character"
	}
	return fmt.Sprintf("the control character %U", r)
}

// cfgQuoteControl makes s printable on one line.
func cfgQuoteControl(s string) string {
	if _, bad := cfgFindControl(s); !bad {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if cfgIsControl(r) {
			q := fmt.Sprintf("%q", string(r))
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cfgShow quotes a user value for a message (escaped, shortened).
func cfgShow(s string) string {
	if utf8.RuneCountInString(s) > cfgMaxValueShow {
		s = string([]rune(s)[:cfgMaxValueShow]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

// cfgDescribe names what a node holds, for type errors.
func cfgDescribe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!int", "!!float":
			return "the number " + cfgShow(n.Value)[1:len(cfgShow(n.Value))-1]
		case "!!bool":
			return "the boolean " + n.Value
		}
		return "the text " + cfgShow(n.Value)
	}
	return "an empty node"
}

// build checks what involves several fields, fills defaults and returns the Cluster.
func (p *cfgParser) build() (*Cluster, *ConfigError) {
	c := &Cluster{File: p.file}
	if p.name.node == nil {
		return nil, p.fail(p.root, "name", "is missing", "name the cluster, e.g. name: lab (the kubeconfig is written to lab.kubeconfig)")
	}
	c.Name = p.name.val
	c.KubernetesVersion = p.versionNorm

	// Hosts.
	var masters, workers []*cfgHost
	for _, h := range p.hosts {
		if h.role == RoleMaster {
			masters = append(masters, h)
		} else {
			workers = append(workers, h)
		}
	}
	switch {
	case p.masters == nil:
		return nil, p.fail(p.root, "masters", "is missing", "list the control-plane host, e.g. masters: [192.168.122.50]")
	case len(masters) == 0:
		return nil, p.fail(p.masters, "masters", "no master given", "list the control-plane host, e.g. masters: [192.168.122.50]")
	case len(masters) > 1:
		return nil, p.fail(masters[1].node, "masters", fmt.Sprintf("%d masters given; swapboot supports exactly one for now (no HA control plane yet)", len(masters)), "keep one master and list the other hosts under workers")
	}
	byLine := append([]*cfgHost(nil), p.hosts...)
	sort.SliceStable(byLine, func(i, j int) bool { return byLine[i].node.Line < byLine[j].node.Line })
	seenAddr := map[netip.Addr]*cfgHost{}
	seenName := map[string]*cfgHost{}
	for _, h := range byLine {
		if first, dup := seenAddr[h.addr]; dup {
			return nil, p.fail(h.addrNode, h.addrField, fmt.Sprintf("%s is already listed as %s (line %d)", h.addr, first.path, first.node.Line), "list every host once")
		}
		seenAddr[h.addr] = h
		if h.name.node != nil {
			if first, dup := seenName[h.name.val]; dup {
				return nil, p.fail(h.name.node, h.path+".name", fmt.Sprintf("node name %s is already used by %s (line %d)", h.name.val, first.path, first.node.Line), "give every node its own name")
			}
			seenName[h.name.val] = h
		}
	}

	// SSH settings: defaults, then the cluster-wide ssh:, then each host's ssh:.
	base := SSH{User: DefaultSSHUser, Port: DefaultSSHPort}
	if p.ssh == nil || p.ssh.knownHosts.node == nil {
		at := p.root
		if p.ssh != nil {
			at = p.ssh.node
		}
		kh, err := p.expandPath(at, "ssh.knownHosts", DefaultKnownHosts)
		if err != nil {
			err.Problem = "cannot expand the default " + DefaultKnownHosts + ": the home directory is unknown ($HOME is not set)"
			return nil, err
		}
		base.KnownHosts = kh
	}
	var clusterBastion *Bastion
	if p.ssh != nil {
		cfgApplySSH(&base, p.ssh)
		if p.ssh.bastion != nil {
			clusterBastion = cfgBuildBastion(p.ssh.bastion, base)
		}
	}
	build := func(h *cfgHost) Host {
		s := base
		s.Bastion = nil
		if clusterBastion != nil {
			b := *clusterBastion
			s.Bastion = &b
		}
		if h.ssh != nil {
			cfgApplySSH(&s, h.ssh)
			if h.ssh.bastion != nil {
				s.Bastion = cfgBuildBastion(h.ssh.bastion, s)
			}
		}
		return Host{Address: h.addr.String(), Name: h.name.val, Role: h.role, SSH: s, Line: h.node.Line}
	}
	c.Masters = []Host{build(masters[0])}
	for _, h := range workers {
		c.Workers = append(c.Workers, build(h))
	}

	// Networking.
	if err := p.checkSubnets(masters[0], byLine); err != nil {
		return nil, err
	}
	c.Networking = Networking{PodSubnet: p.pod.val.String(), ServiceSubnet: p.svc.val.String()}

	// Swap.
	c.Swap = Swap{SizeBytes: DefaultSwapSizeBytes, Path: DefaultSwapPath, Behavior: DefaultSwapBehavior}
	if p.swapSizeSet {
		c.Swap.SizeBytes = p.swapSize
	}
	if p.swapPath.node != nil {
		c.Swap.Path = p.swapPath.val
	}
	if p.behavior.node != nil {
		c.Swap.Behavior = SwapBehavior(p.behavior.val)
	}

	// Sections that need a kubeadm config file (v1beta3, Kubernetes 1.22 and later).
	if p.versionNorm != "" {
		if v := version.MustParseSemantic(p.versionNorm); versions.Legacy(v.Minor()) {
			for _, s := range []struct {
				field string
				set   bool
			}{{"kubelet", len(p.kubelet) > 0}, {"kubeProxy", len(p.kubeProxy) > 0}, {"nodeRegistration.imagePullPolicy", p.nodeReg.ImagePullPolicy != ""}} {
				if s.set {
					return nil, p.fail(p.keyNode(s.field), s.field, fmt.Sprintf("needs Kubernetes 1.%d or later (kubernetesVersion is %s)", versions.ConfigFileFrom, p.versionNorm), fmt.Sprintf("remove it (older kubeadm takes no configuration file), or use kubernetesVersion v1.%d.0 or later", versions.ConfigFileFrom))
				}
			}
		}
	}
	if len(p.kubelet) > 0 {
		c.Kubelet = p.kubelet
	}
	if len(p.kubeProxy) > 0 {
		c.KubeProxy = p.kubeProxy
	}
	c.NodeRegistration = p.nodeReg
	if len(c.NodeRegistration.KubeletExtraArgs) == 0 {
		c.NodeRegistration.KubeletExtraArgs = nil
	}
	return c, nil
}

// keyNode finds the key node of a dotted top-level path, for messages.
func (p *cfgParser) keyNode(field string) *yaml.Node {
	n, found := p.root, p.root
	for _, part := range strings.Split(field, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			break
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				found, next = n.Content[i], n.Content[i+1]
			}
		}
		n = next
	}
	return found
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
func cfgBuildBastion(raw *cfgBastion, base SSH) *Bastion {
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

// Ranges proposed in messages when a subnet collides.
var cfgPodCandidates = []string{DefaultPodSubnet, "10.32.0.0/16", "172.16.0.0/16", "192.168.0.0/16", "fd00:10:244::/56", "fd00:20:244::/56"}
var cfgSvcCandidates = []string{DefaultServiceSubnet, "172.30.0.0/16", "10.112.0.0/16", "192.168.128.0/20", "fd00:10:96::/108", "fd00:20:96::/108"}

func (p *cfgParser) checkSubnets(master *cfgHost, hosts []*cfgHost) *ConfigError {
	if p.pod.node == nil {
		p.pod.val = netip.MustParsePrefix(DefaultPodSubnet)
	}
	if p.svc.node == nil {
		p.svc.val = netip.MustParsePrefix(DefaultServiceSubnet)
	}
	pod, svc := p.pod.val, p.svc.val
	desc := func(name string, s cfgPrefix) string {
		if s.node == nil {
			return fmt.Sprintf("%s %s (the default)", name, s.val)
		}
		return fmt.Sprintf("%s %s", name, s.val)
	}
	// later returns the subnet to blame: the one set in the file (the later one if both are).
	later := func() (string, cfgPrefix, string, cfgPrefix) {
		if p.svc.node != nil && (p.pod.node == nil || p.svc.node.Line >= p.pod.node.Line) {
			return "serviceSubnet", p.svc, "podSubnet", p.pod
		}
		return "podSubnet", p.pod, "serviceSubnet", p.svc
	}
	suggest := func(which string, v6 bool, avoid netip.Prefix) string {
		cands := cfgPodCandidates
		if which == "serviceSubnet" {
			cands = cfgSvcCandidates
		}
	next:
		for _, c := range cands {
			pr := netip.MustParsePrefix(c)
			if pr.Addr().Is6() != v6 || pr.Overlaps(avoid) {
				continue
			}
			for _, h := range hosts {
				if pr.Contains(h.addr) {
					continue next
				}
			}
			return ", e.g. " + c
		}
		return ""
	}
	if pod.Addr().Is6() != svc.Addr().Is6() {
		name, s, other, o := later()
		return p.fail(s.node, "networking."+name, fmt.Sprintf("%s is %s but %s is %s", desc(name, s), cfgFamily(s.val), desc(other, o), cfgFamily(o.val)), "use the same IP family for both (dual-stack is not supported)"+suggest(name, o.val.Addr().Is6(), o.val))
	}
	if pod.Overlaps(svc) {
		name, s, other, o := later()
		return p.fail(s.node, "networking."+name, fmt.Sprintf("%s overlaps %s", desc(name, s), desc(other, o)), "choose ranges that do not overlap"+suggest(name, o.val.Addr().Is6(), o.val))
	}
	if master.addr.Is6() != svc.Addr().Is6() {
		if p.svc.node != nil {
			return p.fail(p.svc.node, "networking.serviceSubnet", fmt.Sprintf("%s is %s but the master %s is %s", desc("serviceSubnet", p.svc), cfgFamily(svc), master.addr, cfgAddrFamily(master.addr)), "the API server's address and the service range must be of the same IP family")
		}
		fix := "set networking.podSubnet and serviceSubnet to IPv6 ranges, e.g. fd00:10:244::/56 and fd00:10:96::/108"
		if master.addr.Is4() {
			fix = "set networking.podSubnet and serviceSubnet to IPv4 ranges, e.g. " + DefaultPodSubnet + " and " + DefaultServiceSubnet
		}
		return p.fail(master.addrNode, master.addrField, fmt.Sprintf("the master %s is %s but %s is %s", master.addr, cfgAddrFamily(master.addr), desc("serviceSubnet", p.svc), cfgFamily(svc)), fix)
	}
	for _, h := range hosts {
		for _, s := range []struct {
			name string
			p    cfgPrefix
			o    netip.Prefix
		}{{"podSubnet", p.pod, svc}, {"serviceSubnet", p.svc, pod}} {
			if !s.p.val.Contains(h.addr) {
				continue
			}
			if s.p.node != nil {
				return p.fail(s.p.node, "networking."+s.name, fmt.Sprintf("%s contains %s %s (line %d)", desc(s.name, s.p), h.path, h.addr, h.node.Line), "choose a range that contains no host address"+suggest(s.name, h.addr.Is6(), s.o))
			}
			return p.fail(h.addrNode, h.addrField, fmt.Sprintf("%s is inside %s", h.addr, desc(s.name, s.p)), "set networking."+s.name+" to a range that contains no host address"+suggest(s.name, h.addr.Is6(), s.o))
		}
	}
	return nil
}

func cfgFamily(p netip.Prefix) string { return cfgAddrFamily(p.Addr()) }

func cfgAddrFamily(a netip.Addr) string {
	if a.Is6() {
		return "IPv6"
	}
	return "IPv4"
}
