package sshexec

import (
	"bytes"
	"io"
	"sync"
)

// capture keeps a stream's complete output for Result and copies it to the caller's live writer.
// A failing live writer (a closed terminal) is dropped rather than failing the session: the
// captured output is what the caller parses, and stopping the copy would stall the remote process
// once the SSH window fills.
type capture struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	live    io.Writer
	liveErr error
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if c.live != nil && c.liveErr == nil {
		if _, err := c.live.Write(p); err != nil {
			c.liveErr = err
		}
	}
	return len(p), nil
}

// Bytes copies the output so far: after a cancelled Run the session may still be writing.
func (c *capture) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}

// tail is the end of stderr for an error message: at most the last few lines and 2 KiB.
func tail(b []byte) string {
	const maxBytes, maxLines = 2048, 10
	b = bytes.TrimRight(b, "\n")
	if len(b) > maxBytes {
		b = b[len(b)-maxBytes:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	if lines := bytes.Split(b, []byte("\n")); len(lines) > maxLines {
		b = bytes.Join(lines[len(lines)-maxLines:], []byte("\n"))
	}
	return string(b)
}
