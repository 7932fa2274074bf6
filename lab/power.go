package lab

// StopHost and StartHost: a host lost and brought back as a whole (for the high-availability tests).

import (
	"fmt"
	"time"
)

// StopHost takes a host away as a power loss would: its link is cut first (no goodbye reaches the
// others: keepalived peers see only missing adverts), then its systemd powers off and its supervisor
// ends. The host's files, network namespace and state stay for StartHost.
func StopHost(o Options, host string) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	p := NewPaths(o.StateRoot, o.Name)
	st, err := p.LoadState()
	if err != nil {
		return err
	}
	h, err := st.Host(host)
	if err != nil {
		return err
	}
	if err := CutLink(o, h.Name); err != nil {
		return err
	}
	hp, cg := p.Host(h.Name), CgroupName(st.CgroupPrefix, h.Name)
	if _, err := hostOutput(o, h.Name, nil, "systemctl", "--no-block", "poweroff"); err != nil {
		return fmt.Errorf("%s: poweroff: %w", h.Name, err)
	}
	if !waitFor(90*time.Second, func() bool { return hostInitPID(hp, cg) == 0 }) {
		return fmt.Errorf("%s: still running 90s after poweroff", h.Name)
	}
	return nil
}

// StartHost starts a stopped host again: its link and routes, its supervisor and systemd, the lab's pod
// network; it returns once sshd answers.
func StartHost(o Options, host string) error {
	if err := o.Normalize(); err != nil {
		return err
	}
	p := NewPaths(o.StateRoot, o.Name)
	st, err := p.LoadState()
	if err != nil {
		return err
	}
	h, err := st.Host(host)
	if err != nil {
		return err
	}
	if err := RestoreLink(o, h.Name); err != nil {
		return err
	}
	if err := startSupervisor(p, h); err != nil {
		return err
	}
	hp, cg := p.Host(h.Name), CgroupName(st.CgroupPrefix, h.Name)
	if _, err := waitHostReady(p, h, func() bool { return hostInitPID(hp, cg) > 0 }, 90*time.Second); err != nil {
		return fmt.Errorf("%s: %w", h.Name, err)
	}
	if st.Kubernetes {
		return applyPodNetwork(o, st)
	}
	return nil
}
