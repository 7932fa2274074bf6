// Command flannelpins prints, as shell assignments, what lab/flannelbuild/build.sh builds: the pinned
// flannel release and the image references of bootstrap/cni (the product's manifest uses the same),
// and the lab's test-tools image. The build script reads them from here so that no version is written
// twice.
package main

import (
	"fmt"

	"github.com/swapboot/swapboot/bootstrap/cni"
	"github.com/swapboot/swapboot/lab"
)

func main() {
	flanneld, plugin := cni.FlannelImages("")
	fmt.Printf("FLANNEL_VERSION=%s\n", cni.FlannelVersion)
	fmt.Printf("FLANNEL_IMAGE=%s\n", flanneld)
	fmt.Printf("CNI_PLUGIN_IMAGE=%s\n", plugin)
	fmt.Printf("TOOLS_IMAGE=%s\n", lab.ToolsImage)
}
