package cluster

import (
	"errors"
	"fmt"
	"testing"

	"github.com/swapboot/swapboot/examples"
)

// The annotated example every field is documented in must load as it is.
func TestAnnotatedExampleParses(t *testing.T) {
	if _, err := Parse("examples/cluster.yaml", []byte(examples.ClusterYAML)); err != nil {
		t.Fatalf("examples/cluster.yaml does not parse: %v", err)
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
