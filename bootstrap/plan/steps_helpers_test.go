package plan

import "testing"

// Finding a host's steps in tests: by phase (stepOf: nil when there is none; findStep: fails the test)
// or by the script it runs (stepNamed, for phases with several steps).

func stepOf(steps []Step, phase Phase) *Step {
	for i := range steps {
		if steps[i].Phase == phase {
			return &steps[i]
		}
	}
	return nil
}

func findStep(t *testing.T, hp HostPlan, phase Phase) Step {
	t.Helper()
	s := stepOf(hp.Steps, phase)
	if s == nil {
		t.Fatalf("%s has no %s step: %s", hp.Host.ID(), phase, stepsOf(hp))
	}
	return *s
}

func stepNamed(t *testing.T, hp HostPlan, name string) Step {
	t.Helper()
	for _, s := range hp.Steps {
		if s.Template() == name {
			return s
		}
	}
	t.Fatalf("%s has no %s step: %s", hp.Host.ID(), name, stepsOf(hp))
	return Step{}
}
