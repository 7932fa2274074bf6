package cluster

import (
	"testing"

	"github.com/swapboot/swapboot/examples"
)

func TestSampleClusterFileParses(t *testing.T) {
	for _, tc := range []struct{ masters, workers []string }{
		{nil, nil},
		{[]string{"10.1.0.5"}, []string{"10.1.0.6", "10.1.0.7"}},
		{[]string{"10.1.0.5"}, nil},
	} {
		text, err := SampleClusterFile(examples.ClusterYAML, tc.masters, tc.workers)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse("sample.yaml", []byte(text))
		if err != nil {
			t.Fatalf("sample does not parse: %v\n%s", err, text)
		}
		if len(tc.masters) > 0 && c.Masters[0].Address != tc.masters[0] {
			t.Errorf("masters = %+v", c.Masters)
		}
		if len(tc.workers) > 0 && len(c.Workers) != len(tc.workers) {
			t.Errorf("workers = %+v", c.Workers)
		}
	}
	if _, err := SampleClusterFile(examples.ClusterYAML, []string{"$(reboot)"}, nil); err == nil {
		t.Error("accepted a non-IP master")
	}
}
