package output

import (
	"bytes"
	"io"
	"strings"
)

// protocolPrefix starts the lines scripts print for swapboot rather than for people (docs/design.md).
const protocolPrefix = "@swapboot "

// protocolFilter passes a stream through without swapboot's protocol lines.
type protocolFilter struct {
	w   io.WriteCloser
	buf []byte
}

func newProtocolFilter(w io.WriteCloser) *protocolFilter { return &protocolFilter{w: w} }

func (f *protocolFilter) Write(p []byte) (int, error) {
	f.buf = append(f.buf, p...)
	for {
		i := bytes.IndexByte(f.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := f.buf[:i+1]
		if !bytes.HasPrefix(line, []byte(protocolPrefix)) {
			if _, err := f.w.Write(line); err != nil {
				return len(p), err
			}
		}
		f.buf = f.buf[i+1:]
	}
}

func (f *protocolFilter) Close() error {
	if len(f.buf) > 0 && !bytes.HasPrefix(f.buf, []byte(protocolPrefix)) {
		_, _ = f.w.Write(f.buf)
	}
	f.buf = nil
	return f.w.Close()
}

// Reports collects the "@swapboot changed|unchanged <what>" lines a script printed.
func Reports(stdout string) (changed, unchanged []string) {
	for _, line := range strings.Split(stdout, "\n") {
		rest, ok := strings.CutPrefix(line, protocolPrefix)
		if !ok {
			continue
		}
		kind, what, _ := strings.Cut(rest, " ")
		switch kind {
		case "changed":
			changed = append(changed, what)
		case "unchanged":
			unchanged = append(unchanged, what)
		}
	}
	return changed, unchanged
}
