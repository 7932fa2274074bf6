package plan

import "github.com/swapboot/swapboot/templates"

// kubeletConfigMapKind writes the kubelet section of the cluster's kubelet-config ConfigMap, so nodes
// joined later get the same swap settings (templates/scripts/kubelet-configmap.sh).
type kubeletConfigMapKind struct{ name, content string }

func (kubeletConfigMapKind) Phase() Phase   { return PhaseConfigMap }
func (kubeletConfigMapKind) Column() Column { return Column{Order: 30, Title: "CONFIGMAP"} }
func (k kubeletConfigMapKind) Script(Runtime) (templates.Script, error) {
	return templates.KubeletConfigMap{ConfigMap: k.name, Content: k.content}, nil
}

func kubeletConfigMapStep(name, content, summary string) Step {
	s := newStep(kubeletConfigMapKind{name: name, content: content}, summary)
	s.Files = map[string]string{"configmap/" + name + "/kubelet": content}
	return s
}
