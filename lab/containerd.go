package lab

import (
	"fmt"
	"os"
	"path/filepath"
)

// CNIBinDir is where a lab host's container runtime looks for CNI plugins: the directory the upstream
// Kubernetes packages and CNI add-ons use. debianCNIDir is where Debian's containernetworking-plugins
// puts bridge, host-local, loopback, portmap, ...
const (
	CNIBinDir    = "/opt/cni/bin"
	debianCNIDir = "/usr/lib/cni"
)

// cniPluginLinks creates root/opt/cni/bin with a symlink to each of the machine's Debian CNI plugins,
// so the runtime finds them next to the plugins an add-on copies in (an add-on's cp -f replaces a link
// of the same name in this host only).
func cniPluginLinks(root string) error {
	dir := filepath.Join(root, CNIBinDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	des, err := os.ReadDir(debianCNIDir)
	if err != nil {
		return fmt.Errorf("CNI plugins (Debian package containernetworking-plugins): %w", err)
	}
	for _, de := range des {
		link := filepath.Join(dir, de.Name())
		if _, err := os.Lstat(link); err == nil {
			continue
		}
		if err := os.Symlink(filepath.Join(debianCNIDir, de.Name()), link); err != nil {
			return err
		}
	}
	return nil
}

// containerdConfig is the host's /etc/containerd/config.toml: the settings
// the lab facts (section 3) found necessary on this kind of machine.
func containerdConfig(pauseImage string) string {
	sandbox := ""
	if pauseImage != "" {
		sandbox = fmt.Sprintf("    sandbox_image = %q\n", pauseImage)
	}
	return `# swapboot-lab host containerd configuration
version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
` + sandbox + `    # root lacks CAP_SYS_RESOURCE: runc must not lower oom_score_adj
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
    # /opt/cni/bin, where CNI add-ons install their plugins (kube-flannel copies its own there), holds
    # links to Debian's plugins in /usr/lib/cni (cniPluginLinks).
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "` + CNIBinDir + `"
      conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
`
}
