package cmdline

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/swapboot/swapboot/bootstrap/versions"
)

// VersionText is what --version prints: the release, the commit it was built from, the Go version and
// the supported Kubernetes range (from bootstrap/versions). The commit is the build's VCS stamp, else
// linkedCommit (set with -ldflags), else "unknown". info may be nil (no build information).
func VersionText(prog, release, linkedCommit string, info *debug.BuildInfo) string {
	commit, modified, goVersion := "unknown", "", runtime.Version()
	if linkedCommit != "" {
		commit = linkedCommit
	}
	if info != nil {
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision":
				commit = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				modified = " (with uncommitted changes)"
			}
		}
	}
	return fmt.Sprintf("%s %s\ncommit: %s%s\ngo: %s %s/%s\nkubernetes: %s\n",
		prog, release, commit, modified, goVersion, runtime.GOOS, runtime.GOARCH, versions.Range())
}
