package lab

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// An inherited descriptor (as flock(1) leaves its lock to the command it runs) does not reach the
// processes the lab starts.
func TestInheritedDescriptorsDoNotReachChildren(t *testing.T) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil { // no O_CLOEXEC: like a descriptor inherited from a parent
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	fd := strconv.Itoa(p[0])
	listFDs := func() string {
		out, err := exec.Command("sh", "-c", "ls /proc/$$/fd").Output()
		if err != nil {
			t.Fatal(err)
		}
		return " " + strings.Join(strings.Fields(string(out)), " ") + " "
	}
	if !strings.Contains(listFDs(), " "+fd+" ") {
		t.Fatalf("the test's descriptor %s did not reach the child to begin with", fd)
	}
	if err := closeInheritedOnExec(); err != nil {
		t.Fatal(err)
	}
	if got := listFDs(); strings.Contains(got, " "+fd+" ") {
		t.Errorf("descriptor %s still reaches children: %s", fd, got)
	}
}
