package output

import (
	"bytes"
	"sync"
)

// maxPartialLine bounds the bytes held back waiting for a newline (progress bars redraw with
// \r for ever); a longer partial line is written out as a line of its own.
const maxPartialLine = 64 << 10

// newPrefixWriter returns a writer that puts prefix (e.g. "[10.0.0.5] ") in front of every line
// written to it and passes each complete line to the console in one call, so lines of different hosts
// never interleave. It holds back a partial line until its newline arrives; Close writes a held-back
// partial line, ending it with a newline (the writer remains usable).
func newPrefixWriter(c *Console, prefix string) *prefixWriter {
	return &prefixWriter{w: c, prefix: []byte(prefix)}
}

type prefixWriter struct {
	mu      sync.Mutex // one writer may get stdout and stderr copies from different goroutines
	w       *Console
	prefix  []byte
	partial []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(b)
	var out []byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.partial = append(p.partial, b...)
			if len(p.partial) >= maxPartialLine {
				out = p.appendLine(out, p.partial)
				p.partial = p.partial[:0]
			}
			break
		}
		line := b[:i+1]
		if len(p.partial) > 0 {
			line = append(p.partial, line...)
			p.partial = p.partial[:0]
		}
		out = p.appendLine(out, line)
		b = b[i+1:]
	}
	if len(out) == 0 {
		return n, nil
	}
	if err := p.w.writeLines(out); err != nil {
		return 0, err
	}
	return n, nil
}

// Close writes a held-back partial line.
func (p *prefixWriter) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.partial) == 0 {
		return nil
	}
	out := p.appendLine(nil, p.partial)
	p.partial = p.partial[:0]
	return p.w.writeLines(out)
}

// appendLine appends prefix + line to out, ending it with a newline if it has none.
func (p *prefixWriter) appendLine(out, line []byte) []byte {
	out = append(out, p.prefix...)
	out = append(out, line...)
	if line[len(line)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}
