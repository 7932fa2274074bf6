package plan

import (
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
)

// initRepair decides whether master h holds a half-finished kubeadm init that this run repairs with
// kubeadm reset -f and init again: admin.conf exists but the control plane is not done
// (hostfacts.UnfinishedInit), and init never reached its kubelet-finalize phase (a finished init whose API
// is down now is not reset: that would destroy a working cluster). It returns why ("" = no repair). A
// half-finished init that another host of the file has joined (it has a kubelet.conf) is not reset
// either: that host depends on this control plane; the error says what to do.
func initRepair(c *cluster.Cluster, h cluster.Host, facts map[string]hostfacts.Facts) (string, error) {
	f := facts[h.Address]
	problem := f.UnfinishedInit(h)
	if problem == "" || f.InitFinalized {
		return "", nil
	}
	var joined []string
	for _, o := range c.Hosts() {
		if o.Address != h.Address && facts[o.Address].Joined {
			joined = append(joined, o.ID())
		}
	}
	if len(joined) > 0 {
		return "", &hostfacts.FactsError{Problems: []hostfacts.HostProblem{{Host: h.ID(),
			Problem: "kubeadm init did not finish (" + problem + "), but " + strings.Join(joined, ", ") + " joined it (/etc/kubernetes/kubelet.conf), so swapboot does not reset it",
			Fix:     "repair the control plane by hand (kubeadm init phase ...), or take the cluster down with swapboot reset and run swapboot up again"}}}
	}
	return problem, nil
}
