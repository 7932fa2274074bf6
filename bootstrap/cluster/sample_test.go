package cluster

import (
	"errors"
	"fmt"
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

// init prints defaults, not examples: the file loads and sets nothing beyond the hosts and the name.
func TestInitFileIsDefaults(t *testing.T) {
	text, err := InitFile(InitOptions{Name: "lab", Masters: []string{"10.1.0.5"}, Workers: []string{"10.1.0.6", "fd00::7"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("init.yaml", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	want, err := Parse("want.yaml", []byte("name: lab\nmasters: [10.1.0.5]\nworkers: [10.1.0.6, 'fd00::7']\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.File, want.File = "", ""
	for _, cl := range []*Cluster{c, want} {
		for _, hs := range [][]Host{cl.Masters, cl.Workers} {
			for i := range hs {
				hs[i].Line = 0
			}
		}
	}
	if got, exp := fmt.Sprintf("%+v", *c), fmt.Sprintf("%+v", *want); got != exp {
		t.Errorf("init sets more than the hosts:\n got %s\nwant %s", got, exp)
	}
	for _, bad := range []InitOptions{
		{Name: "lab", Masters: []string{"10.1.0.5"}, Workers: []string{"10.1.0.5"}},
		{Name: "lab", Masters: []string{"10.1.0.5"}, Workers: []string{"10.1.0.6", "10.1.0.6"}},
		{Name: "lab", Masters: []string{"10.1.0.5:22"}},
		{Name: "lab", Masters: []string{"$(reboot)"}},
		{Name: "lab", Masters: []string{"10.1.0.5", "10.1.0.6"}},
		{Name: "lab"},
		{Name: "Lab_1", Masters: []string{"10.1.0.5"}},
	} {
		_, err := InitFile(bad)
		var ie *InitError
		if !errors.As(err, &ie) || ie.ExitCode() != 2 {
			t.Errorf("%+v: got %v, want an InitError", bad, err)
		}
	}
}
