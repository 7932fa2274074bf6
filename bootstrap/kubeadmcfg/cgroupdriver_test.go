package kubeadmcfg

import (
	"strings"
	"testing"
)

// TestCgroupDriverRendered: swapboot's driver is rendered; a user value that differs, or a driver that
// is not one of the kubelet's, is refused.
func TestCgroupDriverRendered(t *testing.T) {
	base := initCases()[len(initCases())-1].params()
	base.KubeletOverrides = nil
	p := base
	p.Kubelet.CgroupDriver = "cgroupfs"
	doc, err := RenderInit(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "\ncgroupDriver: cgroupfs\n") {
		t.Errorf("no cgroupDriver: cgroupfs in\n%s", doc)
	}
	p.KubeletOverrides = map[string]any{"cgroupDriver": "systemd"}
	if _, err := RenderInit(p); err == nil || !strings.Contains(err.Error(), "kubelet.cgroupDriver") {
		t.Errorf("a differing user cgroupDriver: %v", err)
	}
	p.KubeletOverrides = map[string]any{"cgroupDriver": "cgroupfs"}
	if _, err := RenderInit(p); err != nil {
		t.Errorf("the same user cgroupDriver: %v", err)
	}
	p = base
	p.Kubelet.CgroupDriver = "cgroupv2"
	if _, err := RenderInit(p); err == nil {
		t.Error("an unknown driver was rendered")
	}
	if doc, err := RenderInit(base); err != nil || strings.Contains(string(doc), "cgroupDriver") {
		t.Errorf("no driver asked, yet: %v\n%s", err, doc)
	}
}
