package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/swapboot/swapboot/internal/golden"
)

// flannelSamples are the renderings with golden files: the defaults, each input changed in turn.
var flannelSamples = map[string]FlannelManifest{
	"default":     {Network: "10.244.0.0/16", Backend: "vxlan", FlannelImage: "flannel/flannel:v0.28.4", CNIPluginImage: "flannel/flannel-cni-plugin:v1.9.1-flannel1", CNIBinDir: "/opt/cni/bin"},
	"host-gw":     {Network: "10.244.0.0/16", Backend: "host-gw", FlannelImage: "flannel/flannel:v0.28.4", CNIPluginImage: "flannel/flannel-cni-plugin:v1.9.1-flannel1", CNIBinDir: "/opt/cni/bin"},
	"mirror":      {Network: "10.244.0.0/16", Backend: "vxlan", FlannelImage: "mirror.example:5000/flannel/flannel:v0.28.4", CNIPluginImage: "mirror.example:5000/flannel/flannel-cni-plugin:v1.9.1-flannel1", CNIBinDir: "/opt/cni/bin"},
	"pod-subnet":  {Network: "10.245.0.0/16", Backend: "vxlan", FlannelImage: "flannel/flannel:v0.28.4", CNIPluginImage: "flannel/flannel-cni-plugin:v1.9.1-flannel1", CNIBinDir: "/opt/cni/bin"},
	"usr-lib-cni": {Network: "10.244.0.0/16", Backend: "vxlan", FlannelImage: "flannel/flannel:v0.28.4", CNIPluginImage: "flannel/flannel-cni-plugin:v1.9.1-flannel1", CNIBinDir: "/usr/lib/cni"},
}

func TestFlannelManifestGolden(t *testing.T) {
	for name, d := range flannelSamples {
		got, err := RenderDocument(d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden.Check(t, filepath.Join("testdata", "kube-flannel-"+name+".golden"), []byte(got))
	}
}

// flannelView is what the test reads back from a rendered manifest, at the places flannel reads it.
type flannelView struct {
	kinds                     []string
	network, backend          string
	flanneldImage, initImages []string
	cniPluginHostPath         string
}

func parseFlannel(t *testing.T, manifest string) flannelView {
	t.Helper()
	var v flannelView
	dec := yaml.NewDecoder(strings.NewReader(manifest))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not YAML documents: %v", err)
		}
		kind, _ := doc["kind"].(string)
		v.kinds = append(v.kinds, kind)
		switch kind {
		case "ConfigMap":
			data := doc["data"].(map[string]any)
			var netConf struct {
				Network string
				Backend struct{ Type string }
			}
			if err := json.Unmarshal([]byte(data["net-conf.json"].(string)), &netConf); err != nil {
				t.Fatalf("net-conf.json: %v", err)
			}
			v.network, v.backend = netConf.Network, netConf.Backend.Type
			var cniConf map[string]any
			if err := json.Unmarshal([]byte(data["cni-conf.json"].(string)), &cniConf); err != nil {
				t.Fatalf("cni-conf.json: %v", err)
			}
		case "DaemonSet":
			spec := doc["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
			for _, c := range spec["initContainers"].([]any) {
				v.initImages = append(v.initImages, c.(map[string]any)["image"].(string))
			}
			for _, c := range spec["containers"].([]any) {
				v.flanneldImage = append(v.flanneldImage, c.(map[string]any)["image"].(string))
			}
			for _, vol := range spec["volumes"].([]any) {
				m := vol.(map[string]any)
				if m["name"] == "cni-plugin" {
					v.cniPluginHostPath = m["hostPath"].(map[string]any)["path"].(string)
				}
			}
		}
	}
	return v
}

// TestFlannelManifestValuesInPlace parses each rendering as YAML documents and finds every input where
// flannel and the kubelet read it: net-conf.json's Network and Backend Type, the three images, the
// cni-plugin volume's hostPath.
func TestFlannelManifestValuesInPlace(t *testing.T) {
	for name, d := range flannelSamples {
		got, err := RenderDocument(d)
		if err != nil {
			t.Fatal(err)
		}
		v := parseFlannel(t, got)
		if want := "Namespace,ClusterRole,ClusterRoleBinding,ServiceAccount,ConfigMap,DaemonSet"; strings.Join(v.kinds, ",") != want {
			t.Errorf("%s: kinds %v, want %s", name, v.kinds, want)
		}
		if v.network != d.Network || v.backend != d.Backend {
			t.Errorf("%s: net-conf.json Network=%q Type=%q, want %q %q", name, v.network, v.backend, d.Network, d.Backend)
		}
		if strings.Join(v.initImages, ",") != d.CNIPluginImage+","+d.FlannelImage || strings.Join(v.flanneldImage, ",") != d.FlannelImage {
			t.Errorf("%s: init images %v, containers %v", name, v.initImages, v.flanneldImage)
		}
		if v.cniPluginHostPath != d.CNIBinDir {
			t.Errorf("%s: cni-plugin hostPath %q, want %q", name, v.cniPluginHostPath, d.CNIBinDir)
		}
		if strings.Contains(got, "# input:") || strings.Contains(got, "{{") {
			t.Errorf("%s: input lines or placeholders left in the rendering", name)
		}
	}
}

// TestFlannelManifestDiffersOnlyInInputs: two renderings differ exactly on the lines of the inputs that
// differ, so nothing else of the upstream text depends on them.
func TestFlannelManifestDiffersOnlyInInputs(t *testing.T) {
	base, _ := RenderDocument(flannelSamples["default"])
	for name, want := range map[string]int{"host-gw": 1, "pod-subnet": 1, "usr-lib-cni": 1, "mirror": 3} {
		other, _ := RenderDocument(flannelSamples[name])
		a, b := strings.Split(base, "\n"), strings.Split(other, "\n")
		if len(a) != len(b) {
			t.Fatalf("%s: %d lines, default %d", name, len(b), len(a))
		}
		diff := 0
		for i := range a {
			if a[i] != b[i] {
				diff++
			}
		}
		if diff != want {
			t.Errorf("%s: %d lines differ from the default, want %d", name, diff, want)
		}
	}
}

// TestDocumentsNameNoRegistry: the images are inputs; the file names no registry of its own.
func TestDocumentsNameNoRegistry(t *testing.T) {
	image := regexp.MustCompile(`(?m)^\s*image:\s*(.*)$`)
	for _, name := range DocumentNames() {
		data, err := scripts.ReadFile("documents/" + name + ".yml")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range image.FindAllSubmatch(data, -1) {
			if !bytes.HasPrefix(m[1], []byte("{{")) {
				t.Errorf("%s: image %s is not an input", name, m[1])
			}
		}
	}
}

func TestRenderDocumentRefusesBadInputs(t *testing.T) {
	ok := flannelSamples["default"]
	for name, d := range map[string]FlannelManifest{
		"empty":     {Network: "10.244.0.0/16", Backend: "vxlan", FlannelImage: "a", CNIPluginImage: "b"},
		"quote":     {Network: `10.244.0.0/16", "x": "y`, Backend: "vxlan", FlannelImage: "a", CNIPluginImage: "b", CNIBinDir: "/opt/cni/bin"},
		"newline":   {Network: "10.244.0.0/16", Backend: "vxlan", FlannelImage: "a\n  command: [sh]", CNIPluginImage: "b", CNIBinDir: "/opt/cni/bin"},
		"yaml flow": {Network: "10.244.0.0/16", Backend: "vxlan", FlannelImage: "a", CNIPluginImage: "b", CNIBinDir: "{x: y}"},
	} {
		if _, err := RenderDocument(d); err == nil {
			t.Errorf("%s: rendered %+v", name, d)
		}
	}
	if _, err := RenderDocument(ok); err != nil {
		t.Error(err)
	}
	if len(AllDocuments()) != len(DocumentNames()) {
		t.Errorf("typed calls %d, documents %v", len(AllDocuments()), DocumentNames())
	}
}
