package output

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// RedactionMarker replaces every masked secret.
const RedactionMarker = "<redacted>"

// Redactor masks known secrets (bootstrap tokens, certificate keys, sudo passwords) in text.
// The zero value is an empty Redactor ready to use. All methods are safe for concurrent use;
// secrets added later apply to every later Redact and to the not yet flushed data of Writers.
// A Redactor must not be copied after first use.
type Redactor struct {
	mu  sync.Mutex // serialises Add
	set atomic.Pointer[redactSet]
}

// redactSet is immutable once published.
type redactSet struct {
	needles []string
	maxLen  int
}

// NewRedactor returns a Redactor for the given secrets (empty strings are ignored).
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add registers secrets. For each secret it also masks:
//   - for a bootstrap token "id.secret", the secret half alone (kubeadm prints the token ID on
//     its own, e.g. "bootstrap-token-<id>", so the ID is public and is not masked);
//   - the standard base64 encoding (padded and unpadded) of the secret and of that secret half
//     (kubeadm --dry-run prints the bootstrap token Secret with "token-secret: <base64>");
//   - for hex secrets such as certificate keys, the lower- and upper-case forms.
//
// A secret containing newlines is masked line by line (each non-empty line is a secret), since
// Writer works line by line.
func (r *Redactor) Add(secrets ...string) {
	var add []string
	for _, s := range secrets {
		for _, part := range strings.Split(s, "\n") {
			add = append(add, redactVariants(part)...)
		}
	}
	if len(add) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.set.Load()
	ns := &redactSet{}
	if old != nil {
		ns.needles = slices.Clone(old.needles)
		ns.maxLen = old.maxLen
	}
	for _, n := range add {
		if slices.Contains(ns.needles, n) {
			continue
		}
		ns.needles = append(ns.needles, n)
		ns.maxLen = max(ns.maxLen, len(n))
	}
	r.set.Store(ns)
}

func redactVariants(s string) []string {
	if s == "" {
		return nil
	}
	bases := []string{s}
	if bootstraputil.IsValidBootstrapToken(s) {
		bases = append(bases, s[strings.IndexByte(s, '.')+1:])
	}
	var out []string
	for _, b := range bases {
		out = append(out, b)
		if len(b) >= 32 && redactAllHex(b) {
			out = append(out, strings.ToLower(b), strings.ToUpper(b))
		}
		if len(b) >= 6 {
			out = append(out, base64.StdEncoding.EncodeToString([]byte(b)), base64.RawStdEncoding.EncodeToString([]byte(b)))
		}
	}
	return out
}

// Redact replaces every occurrence of every registered secret (and its variants, see Add) with
// RedactionMarker. Overlapping or adjacent occurrences become a single marker, so no part of a
// secret is left behind. It does not apply RedactKnownPatterns.
func (r *Redactor) Redact(s string) string {
	return redactApply(s, redactMerge(r.secretIntervals(s, nil)))
}

// redactAll is what Writer does to complete lines: secrets and known patterns, both found on the
// original text. keyLines is the pattern state (see redactPatternIntervals).
func (r *Redactor) redactAll(s string, keyLines int) (string, int) {
	ivs, keyLines := redactPatternIntervals(s, keyLines, nil)
	ivs = r.secretIntervals(s, ivs)
	return redactApply(s, redactMerge(ivs)), keyLines
}

type redactInterval struct{ start, end int }

func (r *Redactor) secretIntervals(s string, ivs []redactInterval) []redactInterval {
	set := r.set.Load()
	if set == nil {
		return ivs
	}
	for _, n := range set.needles {
		for off := 0; off < len(s); {
			i := strings.Index(s[off:], n)
			if i < 0 {
				break
			}
			start := off + i
			ivs = append(ivs, redactInterval{start, start + len(n)})
			off = start + 1 // overlapping occurrences too
		}
	}
	return ivs
}

// redactMerge sorts intervals and merges overlapping and touching ones.
func redactMerge(ivs []redactInterval) []redactInterval {
	if len(ivs) < 2 {
		return ivs
	}
	slices.SortFunc(ivs, func(a, b redactInterval) int { return a.start - b.start })
	out := ivs[:1]
	for _, iv := range ivs[1:] {
		last := &out[len(out)-1]
		if iv.start <= last.end {
			last.end = max(last.end, iv.end)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// redactApply replaces the (merged, sorted) intervals of s with RedactionMarker.
func redactApply(s string, ivs []redactInterval) string {
	if len(ivs) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, iv := range ivs {
		b.WriteString(s[prev:iv.start])
		b.WriteString(RedactionMarker)
		prev = iv.end
	}
	b.WriteString(s[prev:])
	return b.String()
}

// RedactKnownPatterns masks, as a second line of defence for secrets swapboot does not know:
//   - anything shaped like a bootstrap token ([a-z0-9]{6}.[a-z0-9]{16}, not inside a longer
//     alphanumeric word);
//   - the hex value after --certificate-key (space or '=' separated; "<value withheld>" is kept);
//   - hex words of 32+ characters after "Using certificate key:" on the same line or on the next
//     three lines, up to the first one found (kubeadm prints the key on the line after
//     "[upload-certs] Using certificate key:", log lines may be interleaved);
//   - the value of "token-secret:" (base64 of the token's secret half in --dry-run output).
//
// CA hashes (sha256:<hex>) are never masked.
func RedactKnownPatterns(s string) string {
	ivs, _ := redactPatternIntervals(s, 0, nil)
	return redactApply(s, redactMerge(ivs))
}

const (
	redactKeyHeader     = "Using certificate key:"
	redactKeyFlag       = "--certificate-key"
	redactTokenSecret   = "token-secret:"
	redactKeyLookahead  = 3  // lines after the header searched for the key
	redactMinKeyHexWord = 32 // shortest hex word masked near the header
)

// redactPatternIntervals finds the RedactKnownPatterns intervals of s. keyLines is how many
// lines, starting with the line s begins in, are still searched for a certificate key; the
// value returned is the same for the text following s when s ends with a newline.
func redactPatternIntervals(s string, keyLines int, ivs []redactInterval) ([]redactInterval, int) {
	// Bootstrap-token-shaped words.
	for i := strings.IndexByte(s, '.'); i >= 0; {
		if i >= 6 && i+17 <= len(s) &&
			redactTokenChars(s[i-6:i]) && redactTokenChars(s[i+1:i+17]) &&
			(i == 6 || !redactAlnum(s[i-7])) && (i+17 == len(s) || !redactAlnum(s[i+17])) {
			ivs = append(ivs, redactInterval{i - 6, i + 17})
		}
		j := strings.IndexByte(s[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	// Line by line: --certificate-key, token-secret:, the certificate key header.
	for start := 0; start < len(s); {
		end := strings.IndexByte(s[start:], '\n')
		complete := end >= 0
		if complete {
			end += start
		} else {
			end = len(s)
		}
		line := s[start:end]
		if keyLines > 0 {
			n := len(ivs)
			ivs = redactHexWords(line, start, redactMinKeyHexWord, ivs)
			if len(ivs) > n {
				keyLines = 0
			} else if complete {
				keyLines--
			}
		}
		for off := 0; ; {
			i := strings.Index(line[off:], redactKeyFlag)
			if i < 0 {
				break
			}
			v := off + i + len(redactKeyFlag)
			for v < len(line) && (line[v] == ' ' || line[v] == '\t' || line[v] == '=' || line[v] == '"' || line[v] == '\'') {
				v++
			}
			e := v
			for e < len(line) && redactHex(line[e]) {
				e++
			}
			if e > v && (e == len(line) || !redactAlnum(line[e])) {
				ivs = append(ivs, redactInterval{start + v, start + e})
			}
			off = v
		}
		for off := 0; ; {
			i := strings.Index(line[off:], redactTokenSecret)
			if i < 0 {
				break
			}
			v := off + i + len(redactTokenSecret)
			for v < len(line) && (line[v] == ' ' || line[v] == '\t' || line[v] == '"' || line[v] == '\'') {
				v++
			}
			e := v
			for e < len(line) && redactBase64(line[e]) {
				e++
			}
			if e > v {
				ivs = append(ivs, redactInterval{start + v, start + e})
			}
			off = v
		}
		if i := strings.LastIndex(line, redactKeyHeader); i >= 0 {
			v := i + len(redactKeyHeader)
			n := len(ivs)
			ivs = redactHexWords(line[v:], start+v, redactMinKeyHexWord, ivs)
			if len(ivs) == n {
				keyLines = redactKeyLookahead
			} else {
				keyLines = 0
			}
		}
		if !complete {
			break
		}
		start = end + 1
	}
	return ivs, keyLines
}

// redactHexWords appends the hex words of at least minLen characters of line (at offset base in
// the whole text), except those preceded by "sha256:" (CA hashes are public).
func redactHexWords(line string, base, minLen int, ivs []redactInterval) []redactInterval {
	for i := 0; i < len(line); {
		if !redactHex(line[i]) || (i > 0 && redactAlnum(line[i-1])) {
			i++
			continue
		}
		e := i
		for e < len(line) && redactHex(line[e]) {
			e++
		}
		if e-i >= minLen && (e == len(line) || !redactAlnum(line[e])) &&
			!(i >= 7 && strings.EqualFold(line[i-7:i], "sha256:")) {
			ivs = append(ivs, redactInterval{base + i, base + e})
		}
		i = e
	}
	return ivs
}

func redactAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func redactHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func redactBase64(c byte) bool {
	return redactAlnum(c) || c == '+' || c == '/' || c == '='
}

func redactTokenChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func redactAllHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !redactHex(s[i]) {
			return false
		}
	}
	return true
}

// redactMaxPending is how much of a line without a newline the Writer buffers before it
// flushes the part that can no longer contain the start of a secret.
const redactMaxPending = 64 << 10

// errRedactWriterClosed is returned by Write after Close.
var errRedactWriterClosed = errors.New("redacting writer is closed")

// Writer returns a writer that masks the secrets of r (see Redact) and RedactKnownPatterns in
// everything written to it, then writes it to w. A secret split across Write calls is still
// masked: data is buffered up to the end of the line and flushed on each newline and on Close.
// A line longer than 64 KiB is flushed in parts, holding back a tail long enough for any secret.
// Close flushes the rest; it does not close w. The writer is safe for concurrent use.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	return &redactWriter{r: r, w: w}
}

type redactWriter struct {
	r        *Redactor
	w        io.Writer
	mu       sync.Mutex
	buf      []byte
	keyLines int
	err      error
	closed   bool
}

func (rw *redactWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.closed {
		return 0, errRedactWriterClosed
	}
	if rw.err != nil {
		return 0, rw.err
	}
	rw.buf = append(rw.buf, p...)
	if i := bytes.LastIndexByte(rw.buf, '\n'); i >= 0 {
		var out string
		out, rw.keyLines = rw.r.redactAll(string(rw.buf[:i+1]), rw.keyLines)
		rw.buf = append(rw.buf[:0], rw.buf[i+1:]...)
		if err := rw.emit(out); err != nil {
			return len(p), err
		}
	}
	if len(rw.buf) > redactMaxPending {
		if err := rw.flushLongLine(); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

// flushLongLine flushes the head of a buffered partial line, keeping a tail that is longer than
// any secret or pattern and never cutting through a masked interval.
func (rw *redactWriter) flushLongLine() error {
	s := string(rw.buf)
	margin := 256
	if set := rw.r.set.Load(); set != nil {
		margin = max(margin, set.maxLen)
	}
	cut := len(s) - margin
	if cut <= 0 {
		return nil
	}
	ivs, _ := redactPatternIntervals(s, rw.keyLines, nil)
	ivs = redactMerge(rw.r.secretIntervals(s, ivs))
	var head []redactInterval
	for _, iv := range ivs {
		if iv.start >= cut {
			break
		}
		if iv.end > cut {
			cut = iv.start
			break
		}
		head = append(head, iv)
	}
	if cut <= 0 {
		return nil
	}
	out := redactApply(s[:cut], head)
	rw.buf = append(rw.buf[:0], s[cut:]...)
	return rw.emit(out)
}

func (rw *redactWriter) emit(s string) error {
	if _, err := io.WriteString(rw.w, s); err != nil {
		rw.err = err
		return err
	}
	return nil
}

// Close flushes the buffered partial line (masked). It does not close the underlying writer.
func (rw *redactWriter) Close() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.closed {
		return rw.err
	}
	rw.closed = true
	if rw.err != nil || len(rw.buf) == 0 {
		return rw.err
	}
	out, _ := rw.r.redactAll(string(rw.buf), rw.keyLines)
	rw.buf = nil
	return rw.emit(out)
}
