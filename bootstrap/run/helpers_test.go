package run

import (
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/bootstrap/internal/testkit"
	"github.com/swapboot/swapboot/bootstrap/plan"
)

const testToken = testkit.Token

func testCluster() *cluster.Cluster { return testkit.Cluster() }

// planFor is the plan of `up` for fresh hosts of one Kubernetes version.
func planFor(t *testing.T, c *cluster.Cluster, version string, cgroupV2, oldDeb bool) *plan.Plan {
	t.Helper()
	facts, notes := hostfacts.AssumedFacts(c, hostfacts.Assumptions{KubernetesVersion: version, CgroupV2: cgroupV2, OldDebLayout: oldDeb})
	p, err := plan.BuildPlan(c, facts, plan.PlanOptions{NewToken: testkit.FixedToken})
	if err != nil {
		t.Fatal(err)
	}
	p.Assumptions = notes
	return p
}
