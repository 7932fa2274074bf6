package lab

import (
	"bufio"
	"os"
	"strings"
)

// MountInfo is one line of /proc/PID/mountinfo.
type MountInfo struct {
	ID, Parent int
	Root       string
	Point      string
	FSType     string
	Source     string
	SuperOpts  string
}

func readMountInfo(path string) ([]MountInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []MountInfo
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if m, ok := parseMountInfoLine(sc.Text()); ok {
			out = append(out, m)
		}
	}
	return out, sc.Err()
}

func parseMountInfoLine(line string) (MountInfo, bool) {
	var m MountInfo
	fields := strings.Fields(line)
	sep := -1
	for i, f := range fields {
		if f == "-" {
			sep = i
			break
		}
	}
	if sep < 6 || len(fields) < sep+4 {
		return m, false
	}
	atoi := func(s string) int {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	m.ID, m.Parent = atoi(fields[0]), atoi(fields[1])
	m.Root = unescapeOctal(fields[3])
	m.Point = unescapeOctal(fields[4])
	m.FSType = fields[sep+1]
	m.Source = unescapeOctal(fields[sep+2])
	m.SuperOpts = fields[sep+3]
	return m, true
}

// unescapeOctal undoes the \ooo escaping of /proc/mounts, mountinfo and /proc/swaps.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOct(s[i+1]) && isOct(s[i+2]) && isOct(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }
