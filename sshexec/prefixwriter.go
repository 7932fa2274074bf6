package sshexec

import (
	"bytes"
	"io"
	"sync"
)

// maxPartialLine bounds the bytes held back waiting for a newline (progress bars redraw with
// \r for ever); a longer partial line is written out as a line of its own.
const maxPartialLine = 64 << 10

// NewPrefixWriter returns a writer that puts prefix (e.g. "[10.0.0.5] ") in front of every line
// written to w. It holds back a partial line until its newline arrives; Close writes a held-back
// partial line, ending it with a newline (the writer remains usable).
//
// Sharing w: each PrefixWriter passes complete lines to w in a single Write call, so lines of
// different hosts never interleave when w's Write is atomic for concurrent callers, as it is for
// *os.File. For any other shared w, give w Lock and Unlock methods (embed a sync.Mutex): every
// PrefixWriter holds w's lock around its Write. There is no hidden package-level lock.
func NewPrefixWriter(w io.Writer, prefix string) io.WriteCloser {
	return &prefixWriter{w: w, prefix: []byte(prefix)}
}

type prefixWriter struct {
	mu      sync.Mutex // one writer may get stdout and stderr copies from different goroutines
	w       io.Writer
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
	if err := writeShared(p.w, out); err != nil {
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
	return writeShared(p.w, out)
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

func writeShared(w io.Writer, b []byte) error {
	if l, ok := w.(sync.Locker); ok {
		l.Lock()
		defer l.Unlock()
	}
	_, err := w.Write(b)
	return err
}
