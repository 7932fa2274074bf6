package editdistance

import "testing"

func TestDistance(t *testing.T) {
	if d := Distance("ab", "ba"); d != 1 {
		t.Errorf("transposition distance %d", d)
	}
}
