package cni

// Where the pinned kube-flannel manifest puts flannel: its namespace and the label of its DaemonSet's
// pods (the wait after the apply and `status` find the pods by them).
const (
	FlannelNamespace = "kube-flannel"
	FlannelSelector  = "app=flannel"
)
