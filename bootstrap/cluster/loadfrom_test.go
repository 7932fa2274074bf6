package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestLoadFrom: contents read elsewhere (stdin) load exactly as the same file from disk, under the name
// given, in Cluster.File and in every problem.
func TestLoadFrom(t *testing.T) {
	cfgPinHome(t)
	data := []byte("name: lab\nmasters: [192.168.122.50]\nworkers: [192.168.122.51]\n")
	path := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fromDisk, err := LoadFrom(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil || !reflect.DeepEqual(fromDisk, loaded) {
		t.Fatalf("LoadFrom(path, nil) differs from Load(path): %v", err)
	}
	fromStdin, err := LoadFrom("<stdin>", data)
	if err != nil || fromStdin.File != "<stdin>" {
		t.Fatalf("got %+v, %v", fromStdin, err)
	}
	fromStdin.File = path
	if !reflect.DeepEqual(fromStdin, fromDisk) {
		t.Errorf("contents and file load differently:\n%+v\n%+v", fromStdin, fromDisk)
	}
	_, err = LoadFrom("<stdin>", append(data, "swap: {size: 1X}\n"...))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.File != "<stdin>" || ce.Line != 4 || !strings.HasPrefix(err.Error(), "<stdin>:4: swap.size") {
		t.Errorf("got %v, want <stdin>:4: swap.size ...", err)
	}
}

// TestKubeletCgroupDriverLine: the line of kubelet.cgroupDriver is kept for the plan's refusal message.
func TestKubeletCgroupDriverLine(t *testing.T) {
	c, err := Parse("c.yaml", []byte("name: lab\nkubernetesVersion: v1.37.2\nmasters: [10.0.0.1]\nkubelet:\n  maxPods: 50\n  cgroupDriver: systemd\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.KubeletCgroupDriverLine != 6 || c.Kubelet["cgroupDriver"] != "systemd" {
		t.Errorf("line %d, driver %v", c.KubeletCgroupDriverLine, c.Kubelet["cgroupDriver"])
	}
	c, err = Parse("c.yaml", []byte("name: lab\nmasters: [10.0.0.1]\nkubelet: {maxPods: 50}\n"))
	if err != nil || c.KubeletCgroupDriverLine != 0 {
		t.Errorf("no driver: line %d, %v", c.KubeletCgroupDriverLine, err)
	}
}
