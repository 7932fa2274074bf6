package lab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/swapboot/swapboot/bootstrap/cni"
)

// ToolsImage is the lab's test-tools image, in every host's containerd next to the Kubernetes and
// flannel images: Debian's busybox-static (sh, sleep, ping, wget, nslookup, httpd, nc, ...) and memhog
// (`memhog MIB` allocates and touches MIB MiB, then holds them). Pods use it with imagePullPolicy: Never.
const ToolsImage = "swapboot-lab/tools:1"

// FlannelDir is the build output of the pinned flannel release and the tools image (lab/README.md,
// "Artifacts"): bin/, images/*.tar, images.txt, DONE.
func FlannelDir(cacheRoot string) string {
	return filepath.Join(cacheRoot, "flannel", cni.FlannelVersion)
}

// ensureFlannel returns the flannel build directory, running lab/flannelbuild/build.sh when the cache
// has no DONE marker (unless o.NoBuild).
func ensureFlannel(o Options) (string, error) {
	dir := FlannelDir(o.CacheRoot)
	if _, err := os.Stat(filepath.Join(dir, "DONE")); err == nil {
		return dir, nil
	}
	if o.NoBuild {
		return "", fmt.Errorf("no flannel build at %s (DONE missing) and building is disabled; run lab/flannelbuild/build.sh (make flannel) or use --no-kubernetes", dir)
	}
	script := o.FlannelBuildScript
	if script == "" {
		script = findBuildScript("lab/flannelbuild/build.sh", "flannelbuild/build.sh")
	}
	if script == "" {
		return "", fmt.Errorf("no flannel build at %s and lab/flannelbuild/build.sh not found (pass --flannel-build-script)", dir)
	}
	fmt.Fprintf(o.Log, "lab: no flannel %s in the cache yet: building it with %s (progress below; later runs reuse it)\n", cni.FlannelVersion, script)
	cmd := exec.Command(script, "--cache", o.CacheRoot)
	// The script runs `go run` in its checkout; its own directory is the safe working directory.
	cmd.Dir = filepath.Dir(script)
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w", script, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "DONE")); err != nil {
		return "", fmt.Errorf("%s finished without %s/DONE", script, dir)
	}
	return dir, nil
}
