package output

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// Console is the one place a run's human output goes through. Every host line takes the same path:
//
//	script output -> protocol filter (drops "@swapboot ..." lines) -> redactor (masks secrets)
//	-> host prefix ("[10.0.0.5] ") -> Console (one lock, one Write per complete line) -> Out
//
// Console is safe for concurrent use by every host's writers.
type Console struct {
	mu       sync.Mutex
	out      io.Writer
	redactor *Redactor
}

// NewConsole writes to out, masking the secrets of r (nil: nothing beyond the known patterns).
func NewConsole(out io.Writer, r *Redactor) *Console {
	if r == nil {
		r = NewRedactor()
	}
	return &Console{out: out, redactor: r}
}

// Redactor returns the console's redactor.
func (c *Console) Redactor() *Redactor { return c.redactor }

// writeLines writes complete lines in one call, under the console's lock.
func (c *Console) writeLines(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.out.Write(b)
	return err
}

// Host returns the writer for one stream of a host's script output (give stdout and stderr one each,
// so their partial lines never mix). Close it to flush a last partial line.
func (c *Console) Host(label string) io.WriteCloser {
	prefixed := newPrefixWriter(c, "["+label+"] ")
	return &pipeline{first: newProtocolFilter(c.redactor.Writer(prefixed)), rest: []io.Closer{prefixed}}
}

// Say prints one line of swapboot's own for a host, masked and prefixed.
func (c *Console) Say(label, format string, args ...any) {
	w := newPrefixWriter(c, "["+label+"] ")
	fmt.Fprintln(w, c.redactor.Redact(fmt.Sprintf(format, args...)))
	_ = w.Close()
}

// pipeline closes its writers in order, so partial last lines are flushed through all of them.
type pipeline struct {
	first io.WriteCloser
	rest  []io.Closer
}

func (p *pipeline) Write(b []byte) (int, error) { return p.first.Write(b) }

func (p *pipeline) Close() error {
	err := p.first.Close()
	for _, r := range p.rest {
		err = errors.Join(err, r.Close())
	}
	return err
}
