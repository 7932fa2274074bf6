package e2e

import (
	"os"
	"testing"

	"github.com/swapboot/swapboot/lab"
)

// TestMain lets the test binary serve as the lab's host supervisor: lab.Up re-executes it with the lab's
// hidden helper arguments.
func TestMain(m *testing.M) {
	lab.HelperMain()
	os.Exit(m.Run())
}
