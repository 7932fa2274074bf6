package joinmaterial

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/swapboot/swapboot/bootstrap/output"
)

// JoinCommand is one `kubeadm join` command printed by `kubeadm init` or
// `kubeadm token create --print-join-command`.
//
// Token and CertificateKey are secrets: String and GoString print them as <redacted>, so a
// JoinCommand can be logged with %v, %+v or %#v. Use Args to get the real argument list.
type JoinCommand struct {
	// APIServerEndpoint is host:port (kubeadm strips https:// from the kubeconfig server).
	APIServerEndpoint string
	Token             string
	// CACertHashes are "sha256:<64 lowercase hex>", in the order printed (one per CA certificate).
	CACertHashes []string
	// ControlPlane is set by --control-plane (1.15+) or --experimental-control-plane (1.14).
	ControlPlane bool
	// CertificateKey is 64 hex characters, or empty.
	CertificateKey string
}

// ErrNoJoinCommand means the output contains no `kubeadm join` command at all.
var ErrNoJoinCommand = errors.New("no kubeadm join command found in the output")

// WithheldValueError means kubeadm printed `<value withheld>` instead of a secret
// (kubeadm init --skip-token-print / --skip-certificate-key-print).
type WithheldValueError struct {
	Line int    // 1-based line of the `kubeadm join` line
	Flag string // "--token" or "--certificate-key"
}

func (e *WithheldValueError) Error() string {
	return fmt.Sprintf("kubeadm join command on line %d: the value of %s is withheld (<value withheld>; kubeadm ran with --skip-token-print or --skip-certificate-key-print)", e.Line, e.Flag)
}

// JoinCommandError is a `kubeadm join` command that cannot be used. The message never contains
// the token or the certificate key.
type JoinCommandError struct {
	Line   int // 1-based line of the `kubeadm join` line
	Reason string
}

func (e *JoinCommandError) Error() string {
	return fmt.Sprintf("kubeadm join command on line %d: %s", e.Line, e.Reason)
}

// String prints the command with the token and the certificate key replaced by <redacted>.
func (c JoinCommand) String() string {
	args := c.args(true)
	return "kubeadm " + strings.Join(args, " ")
}

// GoString is String, so %#v does not print the secrets either.
func (c JoinCommand) GoString() string { return c.String() }

// Args returns the arguments for the kubeadm binary (starting with "join"), secrets included.
func (c JoinCommand) Args() []string { return c.args(false) }

func (c JoinCommand) args(redact bool) []string {
	secret := func(s string) string {
		if redact && s != "" {
			return output.RedactionMarker
		}
		return s
	}
	a := []string{"join", c.APIServerEndpoint, "--token", secret(c.Token)}
	for _, h := range c.CACertHashes {
		a = append(a, "--discovery-token-ca-cert-hash", h)
	}
	if c.ControlPlane {
		a = append(a, "--control-plane")
	}
	if c.CertificateKey != "" {
		a = append(a, "--certificate-key", secret(c.CertificateKey))
	}
	return a
}

var (
	jmANSIEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]`)
	// klog header: Lmmdd hh:mm:ss.uuuuuu threadid file:line]
	jmKlogLine = regexp.MustCompile(`^[IWEF][0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+ `)
	jmHashRE   = regexp.MustCompile(`^(?i:sha256):[a-fA-F0-9]{64}$`)
)

// jmMaxNoiseLines bounds how many interleaved log lines may sit between a line ending in a
// backslash and its continuation line.
const jmMaxNoiseLines = 16

// ParseJoinCommands finds every `kubeadm join` command in the output of `kubeadm init` or
// `kubeadm token create --print-join-command` (any kubeadm from 1.14 to 1.37), in order.
//
// It accepts backslash-newline continuations indented with 4 spaces (1.15-1.20) or a TAB (1.21+),
// trailing spaces, runs of spaces (1.15-1.20 --print-join-command), CRLF line ends, ANSI colours,
// several --discovery-token-ca-cert-hash flags, the indented control-plane variant and 1.14's
// --experimental-control-plane, and log lines (klog "W1128 ..." lines, "[phase] ..." lines,
// blank lines) interleaved between a continued line and its continuation, as happens when stdout
// and stderr are merged. The output must not carry a per-line prefix (such as "[host] ").
//
// A line counts as a command when it starts (after indentation) with "kubeadm join" and the
// command has a --token, --discovery-token-ca-cert-hash or --control-plane flag; prose that
// merely mentions kubeadm join is ignored. Unknown flags are ignored.
//
// Every command is validated: the endpoint is host:port, the token is a valid bootstrap token,
// there is at least one hash and every hash is sha256:<64 hex> (returned in lower case), the
// certificate key (if any) is 64 hex characters. Errors: ErrNoJoinCommand when there is no
// command; otherwise *WithheldValueError / *JoinCommandError (several are joined with
// errors.Join; use errors.As). On error no command is returned.
func ParseJoinCommands(output string) ([]JoinCommand, error) {
	text := strings.ReplaceAll(output, "\r", "")
	if strings.Contains(text, "\x1b") {
		text = jmANSIEscape.ReplaceAllString(text, "")
	}
	lines := strings.Split(text, "\n")

	var cmds []JoinCommand
	var errs []error
	found := false
	for i := 0; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) < 2 || f[0] != "kubeadm" || f[1] != "join" {
			continue
		}
		fields, last := jmCollect(lines, i)
		cmd, isCmd, err := jmParseFields(fields[2:], i+1)
		if !isCmd {
			continue
		}
		found = true
		i = last
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cmds = append(cmds, cmd)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if !found {
		return nil, ErrNoJoinCommand
	}
	return cmds, nil
}

// jmCollect joins the command starting at lines[start] with its continuation lines and
// returns its whitespace-separated fields and the index of its last line.
func jmCollect(lines []string, start int) ([]string, int) {
	var parts []string
	cur, last := start, start
	for {
		l := strings.TrimRight(lines[cur], " \t")
		body, continued := strings.CutSuffix(l, `\`)
		parts = append(parts, body)
		last = cur
		if !continued {
			break
		}
		next := -1
		for j, noise := cur+1, 0; j < len(lines) && noise <= jmMaxNoiseLines; j++ {
			t := strings.TrimLeft(lines[j], " \t")
			if strings.HasPrefix(t, "--") {
				next = j
				break
			}
			if t == "" || strings.HasPrefix(t, "[") || jmKlogLine.MatchString(t) {
				noise++
				continue
			}
			break
		}
		if next < 0 {
			break
		}
		cur = next
	}
	return strings.Fields(strings.Join(parts, " ")), last
}

// jmParseFields parses the arguments after "kubeadm join". isCmd is false when the line has
// none of the flags of a real join command (prose mentioning kubeadm join).
func jmParseFields(args []string, line int) (cmd JoinCommand, isCmd bool, err error) {
	bad := func(format string, a ...any) (JoinCommand, bool, error) {
		return JoinCommand{}, true, &JoinCommandError{Line: line, Reason: fmt.Sprintf(format, a...)}
	}
	var (
		token, certKey             string
		haveToken, haveKey         bool
		tokenWithheld, keyWithheld bool
		hashes                     []string
		extra                      int
	)
	for k := 0; k < len(args); k++ {
		a := args[k]
		if !strings.HasPrefix(a, "-") || a == "-" {
			if cmd.APIServerEndpoint == "" {
				cmd.APIServerEndpoint = a
			} else {
				extra++
			}
			continue
		}
		// Only --name and --name=value are flags kubeadm prints; "-x" is an unknown flag.
		name, val, hasVal := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") {
			name = "-" + name
		}
		// value reads the flag's value (next field unless --flag=value) and reports whether it
		// is kubeadm's "<value withheld>" placeholder (two fields once split on whitespace).
		value := func() (v string, withheld, ok bool) {
			if !hasVal {
				if k+1 >= len(args) {
					return "", false, false
				}
				k++
				val = args[k]
			}
			// (HTML-escaped in case a kubeadm passed it through html/template as a string.)
			if (val == "<value" || val == "&lt;value") && k+1 < len(args) && (args[k+1] == "withheld>" || args[k+1] == "withheld&gt;") {
				k++
				return "", true, true
			}
			return val, false, true
		}
		switch name {
		case "token":
			isCmd = true
			v, w, ok := value()
			if !ok {
				return bad("--token has no value")
			}
			if haveToken && (w != tokenWithheld || v != token) {
				return bad("--token is given twice with different values")
			}
			token, tokenWithheld, haveToken = v, w, true
		case "discovery-token-ca-cert-hash":
			isCmd = true
			v, w, ok := value()
			if !ok || w {
				return bad("--discovery-token-ca-cert-hash has no value")
			}
			if !jmHashRE.MatchString(v) {
				return bad("invalid --discovery-token-ca-cert-hash (want sha256:<64 hex characters>, got %d characters)", len(v))
			}
			hashes = append(hashes, strings.ToLower(v))
		case "control-plane", "experimental-control-plane":
			isCmd = true
			cmd.ControlPlane = true
			if hasVal {
				b, perr := strconv.ParseBool(val)
				if perr != nil {
					return bad("invalid boolean for --%s", name)
				}
				cmd.ControlPlane = b
			}
		case "certificate-key":
			v, w, ok := value()
			if !ok {
				return bad("--certificate-key has no value")
			}
			if haveKey && (w != keyWithheld || v != certKey) {
				return bad("--certificate-key is given twice with different values")
			}
			certKey, keyWithheld, haveKey = v, w, true
		default:
			// Unknown flag: ignore it, and its value when it is given as the next field and
			// the endpoint is already known (kubeadm prints the endpoint first).
			if !hasVal && cmd.APIServerEndpoint != "" && k+1 < len(args) && !strings.HasPrefix(args[k+1], "-") {
				k++
			}
		}
	}
	if !isCmd {
		return JoinCommand{}, false, nil
	}
	if tokenWithheld {
		return JoinCommand{}, true, &WithheldValueError{Line: line, Flag: "--token"}
	}
	if keyWithheld {
		return JoinCommand{}, true, &WithheldValueError{Line: line, Flag: "--certificate-key"}
	}
	if extra > 0 {
		return bad("%d unexpected argument(s) after the API server endpoint", extra)
	}
	if cmd.APIServerEndpoint == "" {
		return bad("no API server endpoint")
	}
	if err := jmCheckEndpoint(cmd.APIServerEndpoint); err != nil {
		// Not echoed: when the output is malformed this field may hold anything.
		return bad("invalid API server endpoint (want host:port): %v", err)
	}
	if !haveToken || token == "" {
		return bad("no --token")
	}
	if !bootstraputil.IsValidBootstrapToken(token) {
		// Never echo the value: it may be a (slightly damaged) secret.
		return bad("--token is not a valid bootstrap token (want [a-z0-9]{6}.[a-z0-9]{16}, got %d characters)", len(token))
	}
	if len(hashes) == 0 {
		return bad("no --discovery-token-ca-cert-hash")
	}
	if haveKey {
		if b, herr := hex.DecodeString(certKey); herr != nil || len(b) != certificateKeyBytes {
			return bad("--certificate-key is not %d hex characters (got %d characters)", 2*certificateKeyBytes, len(certKey))
		}
	}
	cmd.Token = token
	cmd.CACertHashes = hashes
	cmd.CertificateKey = certKey
	return cmd, true, nil
}

func jmCheckEndpoint(ep string) error {
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		return errors.New("not host:port") // net's message would echo the value
	}
	if host == "" {
		return errors.New("empty host")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return errors.New("invalid port")
	}
	return nil
}
