// Package cni knows the pod-network add-ons swapboot installs: which release, which images, and the
// rendering inputs of their manifests.
package cni

import "strings"

// The pinned flannel release. Its kube-flannel manifest (Documentation/kube-flannel.yml of
// github.com/flannel-io/flannel at this version) is the one swapboot renders; v0.28.4 is the last release
// whose CNI configuration uses cniVersion 0.3.1, which every flannel CNI plugin build accepts.
const (
	FlannelVersion          = "v0.28.4"
	FlannelCNIPluginVersion = "v1.9.1-flannel1"
)

// DefaultFlannelRepository is the repository flannel publishes both images under in the runtime's
// default registry (a short name the runtime completes, as `docker pull flannel/flannel` does).
const DefaultFlannelRepository = "flannel"

// FlannelImages returns the references of flanneld's image and the CNI plugin's image. repository is
// the cluster file's networking.cni.imageRepository (a mirror); empty means DefaultFlannelRepository.
func FlannelImages(repository string) (flanneld, cniPlugin string) {
	repo := strings.TrimSuffix(repository, "/")
	if repo == "" {
		repo = DefaultFlannelRepository
	}
	return repo + "/flannel:" + FlannelVersion, repo + "/flannel-cni-plugin:" + FlannelCNIPluginVersion
}
