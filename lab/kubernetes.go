package lab

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// K8sDir is the build output of one Kubernetes version (lab/README.md, "Artifacts").
func K8sDir(cacheRoot, version string) string { return filepath.Join(cacheRoot, "k8s", version) }

// ensureK8s returns the build directory, running lab/k8sbuild/build.sh when
// the cache has no DONE marker (unless o.NoBuild).
func ensureK8s(o Options) (string, error) {
	dir := K8sDir(o.CacheRoot, o.K8sVersion)
	if _, err := os.Stat(filepath.Join(dir, "DONE")); err == nil {
		return dir, nil
	}
	if o.NoBuild {
		return "", fmt.Errorf("no Kubernetes build at %s (DONE missing) and building is disabled; run lab/k8sbuild/build.sh or use --no-kubernetes", dir)
	}
	script := o.BuildScript
	if script == "" {
		script = findBuildScript("lab/k8sbuild/build.sh", "k8sbuild/build.sh")
	}
	if script == "" {
		return "", fmt.Errorf("no Kubernetes build at %s and lab/k8sbuild/build.sh not found (pass --build-script)", dir)
	}
	fmt.Fprintf(o.Log, "lab: no Kubernetes %s in the cache yet: building it with %s (progress below; the first build takes a while, later runs reuse it)\n", o.K8sVersion, script)
	cmd := exec.Command(script, "--version", o.K8sVersion, "--cache", o.CacheRoot)
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w", script, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "DONE")); err != nil {
		return "", fmt.Errorf("%s finished without %s/DONE", script, dir)
	}
	return dir, nil
}

// findBuildScript looks for a build script (one of rels, relative paths) above the working directory
// and above the lab binary.
func findBuildScript(rels ...string) string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, d := range starts {
		for ; ; d = filepath.Dir(d) {
			for _, rel := range rels {
				if fi, err := os.Stat(filepath.Join(d, rel)); err == nil && !fi.IsDir() {
					return filepath.Join(d, rel)
				}
			}
			if d == "/" {
				break
			}
		}
	}
	return ""
}

// readImages returns the image references of images.txt.
func readImages(k8sDir string) ([]string, error) {
	f, err := os.Open(filepath.Join(k8sDir, "images.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// pauseImage picks the sandbox image reference from images.txt.
func pauseImage(images []string) string {
	for _, i := range images {
		if strings.Contains(i, "/pause:") || strings.HasPrefix(i, "pause:") {
			return i
		}
	}
	return ""
}

// buildK8sLayer creates the read-only lower layer shared by the lab's hosts'
// /usr: the node binaries and kubelet.service, where the packages put them.
// Files are hard links into the cache when possible (overlay lowers are
// never written; a host's changes are copied up into its own upper).
func buildK8sLayer(p Paths, k8sDir string) error {
	usr := filepath.Join(p.K8sLayer(), "usr")
	for _, b := range []string{"kubeadm", "kubelet", "kubectl"} {
		dst := filepath.Join(usr, "bin", b)
		if err := linkOrCopy(filepath.Join(k8sDir, "bin", b), dst, 0o755); err != nil {
			return err
		}
	}
	return writeFileAtomic(filepath.Join(usr, "lib/systemd/system/kubelet.service"), []byte(kubeletService), 0o644)
}

func linkOrCopy(src, dst string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	_ = os.Remove(dst)
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst+".tmp", os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(dst+".tmp", dst)
}

// installKubeletFiles writes what the kubelet package adds to a node besides
// the binaries: the kubeadm drop-in (new path, or the old deb path without
// /etc/default/kubelet), /etc/default/kubelet, and the enabled unit.
func installKubeletFiles(hp HostPaths, h Host) error {
	etc, usr := hp.Upper("etc"), hp.Upper("usr")
	unitPath := "/usr/lib/systemd/system/kubelet.service"
	if h.OldDebLayout {
		unitPath = "/lib/systemd/system/kubelet.service"
		if err := writeFileAtomic(filepath.Join(etc, "systemd/system/kubelet.service.d/10-kubeadm.conf"), []byte(kubeadmDropIn), 0o644); err != nil {
			return err
		}
	} else {
		if err := writeFileAtomic(filepath.Join(usr, "lib/systemd/system/kubelet.service.d/10-kubeadm.conf"), []byte(kubeadmDropIn), 0o644); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(etc, "default/kubelet"), []byte("KUBELET_EXTRA_ARGS=\n"), 0o644); err != nil {
			return err
		}
	}
	link := filepath.Join(etc, "systemd/system/multi-user.target.wants/kubelet.service")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return err
	}
	_ = os.Remove(link)
	if err := os.Symlink(unitPath, link); err != nil {
		return err
	}
	return os.MkdirAll(filepath.Join(etc, "kubernetes/manifests"), 0o755)
}

// importImages loads every image tarball into a host's containerd (k8s.io
// namespace), streaming each file to `ctr images import -` inside the host.
func importImages(o Options, host, k8sDir string) error {
	tars, _ := filepath.Glob(filepath.Join(k8sDir, "images", "*.tar"))
	sort.Strings(tars)
	if len(tars) == 0 {
		return fmt.Errorf("no image tarballs in %s/images", k8sDir)
	}
	for _, t := range tars {
		f, err := os.Open(t)
		if err != nil {
			return err
		}
		_, err = hostOutput(o, host, f, "ctr", "-n", "k8s.io", "images", "import", "-")
		f.Close()
		if err != nil {
			return fmt.Errorf("import %s: %w", filepath.Base(t), err)
		}
	}
	return nil
}

// kubeletService is the unit the kubelet package ships.
const kubeletService = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`

// kubeadmDropIn is the 10-kubeadm.conf the kubeadm deb package ships.
const kubeadmDropIn = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`
