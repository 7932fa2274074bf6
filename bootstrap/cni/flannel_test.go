package cni

import "testing"

func TestFlannelImages(t *testing.T) {
	for _, tc := range []struct{ repo, flanneld, plugin string }{
		{"", "flannel/flannel:" + FlannelVersion, "flannel/flannel-cni-plugin:" + FlannelCNIPluginVersion},
		{"mirror.example:5000/flannel-io", "mirror.example:5000/flannel-io/flannel:" + FlannelVersion, "mirror.example:5000/flannel-io/flannel-cni-plugin:" + FlannelCNIPluginVersion},
		{"mirror.example/flannel/", "mirror.example/flannel/flannel:" + FlannelVersion, "mirror.example/flannel/flannel-cni-plugin:" + FlannelCNIPluginVersion},
	} {
		f, p := FlannelImages(tc.repo)
		if f != tc.flanneld || p != tc.plugin {
			t.Errorf("FlannelImages(%q) = %q, %q; want %q, %q", tc.repo, f, p, tc.flanneld, tc.plugin)
		}
	}
}
