package lab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// DefaultVMRelease is the Debian release of the vm hosts' image;
// vmImageRevision changes with what the image holds, so a changed image is
// built beside an older one instead of the older one being reused.
const (
	DefaultVMRelease = "bookworm"
	vmImageRevision  = "r2"
)

// VMImageDir is the cached image of the vm hosts (lab/README.md, "vm hosts"):
// vmlinuz, initrd.img, disk.img, DONE.
func VMImageDir(cacheRoot, release, k8sVersion string) string {
	return filepath.Join(cacheRoot, "vm", release+"-"+k8sVersion+"-"+vmImageRevision)
}

// EnsureVMBase builds the Debian base of the vm image (lab/vmimage/build.sh --base-only: debootstrap, no
// Kubernetes needed), so that make test can run it beside the Kubernetes compile; nothing when the image
// itself is there already (it no longer needs its base).
func EnsureVMBase(o Options) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(VMImageDir(o.CacheRoot, DefaultVMRelease, o.K8sVersion), "DONE")); err == nil {
		fmt.Fprintf(o.Log, "lab: the vm image is in the cache: its base is not needed\n")
		return nil
	}
	script := findVMBuildScript(o.BuildScript)
	if script == "" {
		return fmt.Errorf("lab/vmimage/build.sh not found")
	}
	cmd := exec.Command(script, "--base-only", "--release", DefaultVMRelease, "--cache", o.CacheRoot)
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s --base-only: %w", script, err)
	}
	return nil
}

// EnsureVMImage returns the vm image directory, running lab/vmimage/build.sh
// when its DONE marker is missing (unless o.NoBuild). The Kubernetes build
// must exist (ensureK8s).
func EnsureVMImage(o Options) (string, error) {
	if err := o.Normalize(); err != nil {
		return "", err
	}
	dir := VMImageDir(o.CacheRoot, DefaultVMRelease, o.K8sVersion)
	if _, err := os.Stat(filepath.Join(dir, "DONE")); err == nil {
		return dir, nil
	}
	if o.NoBuild {
		return "", fmt.Errorf("no vm image at %s (DONE missing) and building is disabled; run make vm-image", dir)
	}
	k8sDir, err := ensureK8s(o)
	if err != nil {
		return "", err
	}
	images, err := readImages(k8sDir)
	if err != nil {
		return "", err
	}
	script := findVMBuildScript(o.BuildScript)
	if script == "" {
		return "", fmt.Errorf("no vm image at %s and lab/vmimage/build.sh not found", dir)
	}
	payload, err := os.MkdirTemp("", "swapboot-vm-payload-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(payload)
	if err := writeVMPayload(payload, pauseImage(images)); err != nil {
		return "", err
	}
	fmt.Fprintf(o.Log, "lab: no vm image in the cache yet: building it with %s (progress below; later runs reuse it)\n", script)
	cmd := exec.Command(script, "--k8s-version", o.K8sVersion, "--release", DefaultVMRelease, "--cache", o.CacheRoot, "--payload", payload, "--revision", vmImageRevision)
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w", script, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "DONE")); err != nil {
		return "", fmt.Errorf("%s finished without %s/DONE", script, dir)
	}
	return dir, nil
}

// findVMBuildScript finds lab/vmimage/build.sh beside the given Kubernetes
// build script, or above the working directory or the lab binary.
func findVMBuildScript(k8sScript string) string {
	if k8sScript != "" {
		s := filepath.Join(filepath.Dir(filepath.Dir(k8sScript)), "vmimage", "build.sh")
		if fi, err := os.Stat(s); err == nil && !fi.IsDir() {
			return s
		}
	}
	return findBuildScript("lab/vmimage/build.sh", "vmimage/build.sh")
}

// writeVMPayload writes the files the image gets on top of Debian's packages:
// the Kubernetes units where the packages put them (the same text namespace
// hosts get, kubernetes.go), kubelet enabled, and containerd's configuration.
func writeVMPayload(dir, pause string) error {
	files := map[string]string{
		"usr/lib/systemd/system/kubelet.service":                   kubeletService,
		"usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": kubeadmDropIn,
		"etc/default/kubelet":                                      "KUBELET_EXTRA_ARGS=\n",
		"etc/containerd/config.toml":                               containerdConfig(pause),
	}
	for rel, content := range files {
		if err := writeFileAtomic(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
			return err
		}
	}
	// Debian's plugins linked into /opt/cni/bin, as on namespace hosts (the guest's package is the machine's).
	if err := cniPluginLinks(dir); err != nil {
		return err
	}
	link := filepath.Join(dir, "etc/systemd/system/multi-user.target.wants/kubelet.service")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return err
	}
	if err := os.Symlink("/usr/lib/systemd/system/kubelet.service", link); err != nil {
		return err
	}
	return os.MkdirAll(filepath.Join(dir, "etc/kubernetes/manifests"), 0o755)
}

// vmImageInfo reads one key of the image's BUILDINFO.
func vmImageInfo(dir, key string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "BUILDINFO"))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return v
		}
	}
	return ""
}
