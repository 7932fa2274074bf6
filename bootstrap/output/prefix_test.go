package output

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestPrefixWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		close  bool
		want   string
	}{
		{name: "one line", writes: []string{"hello\n"}, want: "[h] hello\n"},
		{name: "two lines in one write", writes: []string{"a\nb\n"}, want: "[h] a\n[h] b\n"},
		{name: "line split across writes", writes: []string{"hel", "lo\nwor", "ld\n"}, want: "[h] hello\n[h] world\n"},
		{name: "partial line held until close", writes: []string{"done\nno newline"}, want: "[h] done\n"},
		{name: "close flushes partial line", writes: []string{"done\nno newline"}, close: true, want: "[h] done\n[h] no newline\n"},
		{name: "close with nothing pending", writes: []string{"x\n"}, close: true, want: "[h] x\n"},
		{name: "empty lines and writes", writes: []string{"", "\n", "", "\n"}, want: "[h] \n[h] \n"},
		{name: "CRLF kept", writes: []string{"win\r\n"}, want: "[h] win\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			w := newPrefixWriter(NewConsole(&out, nil), "[h] ")
			for _, s := range tc.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if tc.close {
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if out.String() != tc.want {
				t.Errorf("got %q, want %q", out.String(), tc.want)
			}
		})
	}
}

func TestPrefixWriterBoundsPartialLine(t *testing.T) {
	var out bytes.Buffer
	w := newPrefixWriter(NewConsole(&out, nil), "[h] ")
	w.Write(bytes.Repeat([]byte("."), maxPartialLine+10))
	if got := out.Len(); got != len("[h] ")+maxPartialLine+10+1 {
		t.Errorf("wrote %d bytes, want the long partial line flushed", got)
	}
}

// Many hosts' writers share one output: every line must come out whole, with its own prefix.
func TestPrefixWritersShareOneWriter(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	// A bytes.Buffer is not safe for concurrent use by itself: the Console's lock serialises the lines.
	shared := map[string]io.Writer{"bytes.Buffer": &bytes.Buffer{}, "os.File": file}
	for name, out := range shared {
		t.Run(name, func(t *testing.T) {
			const writers, lines = 8, 300
			console := NewConsole(out, nil)
			var wg sync.WaitGroup
			for i := range writers {
				w := newPrefixWriter(console, fmt.Sprintf("[host-%d] ", i))
				wg.Go(func() {
					defer w.Close()
					for j := range lines {
						line := fmt.Sprintf("line %d of writer %d %s", j, i, strings.Repeat("x", j%50))
						if j == lines-1 {
							w.Write([]byte(line)) // the last line has no newline: Close ends it
							break
						}
						line += "\n"
						for len(line) > 0 { // odd-sized chunks
							n := min(len(line), 1+j%7)
							w.Write([]byte(line[:n]))
							line = line[n:]
						}
					}
				})
			}
			wg.Wait()
			var all []byte
			if f, ok := out.(*os.File); ok {
				all, _ = os.ReadFile(f.Name())
			} else {
				all = out.(*bytes.Buffer).Bytes()
			}
			checkPrefixedLines(t, all, writers*lines)
		})
	}
}

// One writer fed from two goroutines (a Run's stdout and stderr) stays race-free, and whole-line
// writes stay whole.
func TestPrefixWriterConcurrentWrites(t *testing.T) {
	var out bytes.Buffer
	w := newPrefixWriter(NewConsole(&out, nil), "[host-1] ")
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for j := range 500 {
				fmt.Fprintf(w, "line %d of writer 1\n", j)
			}
		})
	}
	wg.Wait()
	checkPrefixedLines(t, out.Bytes(), 1000)
}

func checkPrefixedLines(t *testing.T, all []byte, want int) {
	t.Helper()
	count := 0
	sc := bufio.NewScanner(bytes.NewReader(all))
	for sc.Scan() {
		var host, j, i int
		if _, err := fmt.Sscanf(sc.Text(), "[host-%d] line %d of writer %d", &host, &j, &i); err != nil || host != i {
			t.Fatalf("mangled line %q", sc.Text())
		}
		count++
	}
	if count != want || !bytes.HasSuffix(all, []byte("\n")) {
		t.Errorf("%d lines, want %d", count, want)
	}
}
