package lab

import "fmt"

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
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
`
}
