package plan

import (
	"fmt"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/cni"
	"github.com/swapboot/swapboot/templates"
)

// flannelManifestPath is where the applied manifest is kept on the first master.
const flannelManifestPath = "/var/lib/swapboot/kube-flannel.yml"

// podNetworkKind applies the pod network's manifest on the first master through the admin kubeconfig
// (templates/scripts/pod-network-apply.sh); the manifest is the typed document templates.FlannelManifest.
type podNetworkKind struct {
	manifest templates.FlannelManifest
	what     string
}

func (podNetworkKind) Phase() Phase   { return PhasePodNetwork }
func (podNetworkKind) Column() Column { return Column{Order: 55, Title: "POD NETWORK"} }
func (k podNetworkKind) Script(Runtime) (templates.Script, error) {
	doc, err := templates.RenderDocument(k.manifest)
	if err != nil {
		return nil, err
	}
	return templates.PodNetworkApply{Manifest: doc, ManifestPath: flannelManifestPath, What: k.what}, nil
}

// flannelManifest is the typed document for the cluster file's networking and the hosts' CNI bin dir.
func flannelManifest(c *cluster.Cluster, binDir string) templates.FlannelManifest {
	flanneld, plugin := cni.FlannelImages(c.Networking.CNI.ImageRepository)
	return templates.FlannelManifest{Network: c.Networking.PodSubnet, Backend: c.Networking.CNI.Backend,
		FlannelImage: flanneld, CNIPluginImage: plugin, CNIBinDir: binDir}
}

func podNetworkStep(c *cluster.Cluster, binDir string) (Step, error) {
	k := podNetworkKind{manifest: flannelManifest(c, binDir), what: "flannel " + cni.FlannelVersion}
	doc, err := templates.RenderDocument(k.manifest)
	if err != nil {
		return Step{}, err
	}
	s := newStep(k, fmt.Sprintf("kubectl apply --server-side flannel %s (%s, Network %s, CNI plugin into %s)", cni.FlannelVersion, c.Networking.CNI.Backend, c.Networking.PodSubnet, binDir))
	s.Files = map[string]string{flannelManifestPath: doc}
	return s, nil
}
