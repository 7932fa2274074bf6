package plan

import (
	"github.com/swapboot/swapboot/bootstrap/kubeadmcfg"
	"github.com/swapboot/swapboot/templates"
)

// KubeletPatchDir holds swapboot's kubeadm patches on a node: init and join configurations name it when
// the swap behaviour is per node, and `kubeadm upgrade node` needs it as --patches to keep the node's own
// behaviour (docs/versions.md).
const KubeletPatchDir = "/var/lib/swapboot/kubeadm-patches"

// KubeletPatchFile is the node's patch of the kubeletconfiguration target (a JSON merge patch).
const KubeletPatchFile = KubeletPatchDir + "/kubeletconfiguration+merge.yaml"

// kubeletPatchKind writes a node's kubeadm patch with its own swapBehavior, before init or join
// (templates/scripts/kubelet-patch.sh).
type kubeletPatchKind struct{ content string }

func (kubeletPatchKind) Phase() Phase   { return PhaseKubelet }
func (kubeletPatchKind) Column() Column { return KubeletColumn() }
func (k kubeletPatchKind) Script(Runtime) (templates.Script, error) {
	return templates.KubeletPatch{PatchFile: KubeletPatchFile, Content: k.content}, nil
}

// kubeletPatchStep gives a node swapBehavior behavior (KubeletPolicy.NodeSwapBehavior). A node already in
// the cluster gets the file too, for its next upgrade; swap enable changes its running kubelet.
func kubeletPatchStep(behavior string) (Step, error) {
	content, err := kubeadmcfg.RenderKubeletSwapPatch(behavior)
	if err != nil {
		return Step{}, err
	}
	s := newStep(kubeletPatchKind{content: string(content)}, KubeletPatchFile+": swapBehavior "+behavior+" on this node (kubeadm applies it at init and join)")
	s.Files = map[string]string{KubeletPatchFile: string(content)}
	return s, nil
}
