package lab

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cni"
)

// TestFlannelAndToolsImagesRunInAHost brings up a one-host Kubernetes lab (the Kubernetes and flannel
// builds must be in the cache, as `make test` arranges) and runs every image lab up imported with ctr
// inside the host: what kube-flannel.yml runs in them must work there.
func TestFlannelAndToolsImagesRunInAHost(t *testing.T) {
	requireRoot(t)
	o := testOptions(t, 1)
	o.NoKubernetes = false
	st := upForTest(t, o)
	host := st.Hosts[0].Name
	dir := FlannelDir(o.CacheRoot)

	flanneld, plugin := cni.FlannelImages("")
	short := map[string]string{"flannel": flanneld, "flannel-cni-plugin": plugin, "tools": ToolsImage}
	stored := map[string]string{} // image -> the name containerd stores it under
	for img, ref := range short {
		name, err := imageName(filepath.Join(dir, "images", img+".tar"))
		if err != nil {
			t.Fatal(err)
		}
		// The runtime completes a short name with its default registry's domain: one more path
		// component in front, nothing else changed.
		domain, rest, ok := strings.Cut(name, "/")
		if !ok || rest != ref || !strings.Contains(domain, ".") {
			t.Errorf("%s.tar is stored as %q; want %q completed with a registry domain", img, name, ref)
		}
		stored[img] = name
	}

	out, err := hostOutput(o, host, nil, "ctr", "-n", "k8s.io", "images", "ls", "-q")
	if err != nil {
		t.Fatal(err)
	}
	listed := strings.Fields(out)
	for img, name := range stored {
		if !contains(listed, name) {
			t.Errorf("ctr -n k8s.io images ls in %s lacks %s (%s):\n%s", host, name, img, out)
		}
	}

	n := 0
	ctrRun := func(img string, extra []string, argv ...string) string {
		t.Helper()
		n++
		args := append([]string{"ctr", "-n", "k8s.io", "run", "--rm"}, extra...)
		args = append(args, stored[img], fmt.Sprintf("labtest%d", n))
		out, err := hostOutput(o, host, nil, append(args, argv...)...)
		if err != nil {
			t.Errorf("%s: %v", img, err)
		}
		return out
	}
	if got := strings.TrimSpace(ctrRun("flannel", nil, "/opt/bin/flanneld", "--version")); got != cni.FlannelVersion {
		t.Errorf("flanneld --version printed %q, want %s", got, cni.FlannelVersion)
	}
	for _, ipt := range []string{"iptables", "ip6tables", "iptables-restore", "ip6tables-restore"} {
		if got := ctrRun("flannel", nil, ipt, "--version"); !strings.Contains(got, "nf_tables") {
			t.Errorf("%s --version in the flannel image: %q, want the nf_tables backend", ipt, got)
		}
	}
	// A rule of the kind flanneld's --ip-masq writes, in the container's own network namespace: the
	// extensions and libraries load.
	ctrRun("flannel", []string{"--cap-add", "CAP_NET_ADMIN"}, "iptables", "-t", "nat", "-A", "POSTROUTING",
		"-s", "10.244.0.0/16", "!", "-d", "224.0.0.0/4", "-m", "comment", "--comment", "flanneld masq", "-j", "MASQUERADE", "--random-fully")
	// The install-cni init containers' commands.
	ctrRun("flannel", nil, "cp", "-f", "/etc/passwd", "/tmp/10-flannel.conflist")
	ctrRun("flannel-cni-plugin", nil, "cp", "-f", "/flannel", "/tmp/flannel")
	var v struct {
		Supported []string `json:"supportedVersions"`
	}
	got := ctrRun("flannel-cni-plugin", []string{"--env", "CNI_COMMAND=VERSION"}, "/flannel")
	if err := json.Unmarshal([]byte(strings.TrimSpace(got)), &v); err != nil || !contains(v.Supported, "0.3.1") {
		t.Errorf("the CNI plugin answered VERSION with %q (%v); want supported versions with 0.3.1", got, err)
	}
	got = ctrRun("tools", nil, "sh", "-c", "for a in sleep ping wget nslookup httpd nc; do command -v $a || exit 1; done; sleep 0; echo tools-ok")
	if !strings.Contains(got, "tools-ok") {
		t.Errorf("busybox applets in the tools image: %q", got)
	}
	if got := ctrRun("tools", nil, "memhog", "-step", "8", "-hold", "1ms", "16"); !strings.Contains(got, "memhog: holding 16 MiB") {
		t.Errorf("memhog in the tools image: %q", got)
	}

	// A node sets its network namespace's sysctls itself (swapboot enables forwarding and bridged
	// traffic through iptables for flannel): /proc/sys/net is writable inside a host, and br_netfilter's
	// files are there.
	if out, err := hostOutput(o, host, nil, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables && cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/bridge/bridge-nf-call-iptables"); err != nil || strings.Fields(out)[0] != "1" {
		t.Errorf("setting net sysctls inside the host: %q (%v)", out, err)
	}

	// lab up leaves the pod network to swapboot: no static CNI configuration, and the runtime's
	// plugin directory has Debian's plugins (flannel delegates to bridge, host-local, portmap).
	if out, err := hostOutput(o, host, nil, "sh", "-c", "ls /etc/cni/net.d 2>/dev/null; for p in bridge host-local portmap loopback; do test -x /opt/cni/bin/$p || echo missing $p; done"); err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("host CNI state: %q (%v); want no CNI configuration and the Debian plugins in /opt/cni/bin", out, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// imageName reads the name an OCI image-layout tarball (as mkimage writes it) registers in containerd.
func imageName(tarPath string) (string, error) {
	f, err := os.Open(tarPath)
	if err != nil {
		return "", err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return "", errors.New(tarPath + ": no index.json")
		}
		if err != nil {
			return "", err
		}
		if h.Name != "index.json" {
			continue
		}
		var idx struct {
			Manifests []struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"manifests"`
		}
		if err := json.NewDecoder(tr).Decode(&idx); err != nil || len(idx.Manifests) != 1 {
			return "", errors.New(tarPath + ": index.json does not describe one image")
		}
		return idx.Manifests[0].Annotations["io.containerd.image.name"], nil
	}
}

// The build module must build the release bootstrap/cni pins (build.sh refuses otherwise; this says so
// before any build).
func TestFlannelBuildModuleBuildsThePinnedRelease(t *testing.T) {
	b, err := os.ReadFile("flannelbuild/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == "github.com/flannel-io/flannel" {
			got = append(got, f[1])
		}
	}
	if len(got) != 1 || got[0] != cni.FlannelVersion {
		t.Errorf("lab/flannelbuild/go.mod requires flannel %v; bootstrap/cni pins %s: go get github.com/flannel-io/flannel@%s there", got, cni.FlannelVersion, cni.FlannelVersion)
	}
}
