// Package lab builds a real-cluster lab on one Linux machine: N "hosts", each a
// network namespace plus mount, UTS, IPC, PID and cgroup namespaces, running the
// machine's real systemd as PID 1, which starts the real OpenSSH sshd and
// containerd as their own units. See docs/design.md and the lab facts for the
// measured constraints this package follows.
//
// Process model: `lab up` starts one supervisor per host (hidden helper
// `_host`). The supervisor joins the host's network namespace, moves itself
// into the host's cgroups, starts the host's init stage (`_init`, PID 1 of a
// new PID namespace) and serves the host's FUSE view of /proc/swaps and
// /proc/meminfo. `_init` builds the host's filesystem and execs systemd.
// `lab down` rebuilds what to clean from the state directory and from the
// kernel, so it works after crashes and twice in a row.
package lab
