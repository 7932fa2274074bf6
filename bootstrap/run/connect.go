package run

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/swapboot/swapboot/bootstrap/cluster"
	"github.com/swapboot/swapboot/bootstrap/exit"
	"github.com/swapboot/swapboot/bootstrap/hostfacts"
	"github.com/swapboot/swapboot/sshexec"
	"github.com/swapboot/swapboot/templates"
)

// HostError is one host's failure in a phase that runs before any change.
type HostError struct {
	Host cluster.Host
	Err  error
}

// UnreachableError lists the hosts swapboot could not connect to or read; nothing was changed.
type UnreachableError struct {
	Step     string // "connect" or "facts"
	Failures []HostError
}

// ExitCode: hosts that could not be reached or read.
func (e *UnreachableError) ExitCode() int { return exit.HostFailed }

func (e *UnreachableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d host(s) failed at %s; nothing was changed:", len(e.Failures), e.Step)
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "\n  %s: %s: %s", f.Host.ID(), e.Step, hostlessMessage(f.Err, e.Step, f.Host))
	}
	return b.String()
}

// hostlessMessage is err's message without the host it starts with (the list names the host once).
func hostlessMessage(err error, step string, h cluster.Host) string {
	if de, ok := err.(*sshexec.DialError); ok { // as the transport returned it (not wrapped)
		return de.Detail()
	}
	msg := strings.TrimPrefix(err.Error(), step+": ")
	for _, name := range []string{h.ID(), h.Address} {
		msg = strings.TrimPrefix(msg, name+": ")
	}
	return msg
}

// Connect opens one connection per host for the whole run, in bounded parallel. It reports every host it
// could not reach (and closes the others) so no change starts on a partly reachable cluster.
func Connect(ctx context.Context, dial Dialer, hosts []cluster.Host, parallel int) (map[string]Conn, error) {
	var mu sync.Mutex
	conns := map[string]Conn{}
	var failures []HostError
	forEach(ctx, parallel, hosts, func(ctx context.Context, h cluster.Host) {
		c, err := dial(ctx, h)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failures = append(failures, HostError{h, err}) // UnreachableError names the step
			return
		}
		conns[h.Address] = c
	})
	if err := ctx.Err(); err != nil {
		CloseAll(conns)
		return nil, err
	}
	if len(failures) > 0 {
		CloseAll(conns)
		sortFailures(failures)
		return nil, &UnreachableError{Step: "connect", Failures: failures}
	}
	return conns, nil
}

// CloseAll closes every connection.
func CloseAll(conns map[string]Conn) {
	for _, c := range conns {
		_ = c.Close()
	}
}

// GatherFacts runs facts.sh on every host in bounded parallel. Read-only.
func GatherFacts(ctx context.Context, c *cluster.Cluster, conns map[string]Conn, parallel int) (map[string]hostfacts.Facts, error) {
	scripts, err := FactsScripts(c)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	facts := map[string]hostfacts.Facts{}
	var failures []HostError
	forEach(ctx, parallel, c.Hosts(), func(ctx context.Context, h cluster.Host) {
		res, err := conns[h.Address].Run(ctx, sshexec.Cmd{Script: scripts[h.Address]})
		var f hostfacts.Facts
		if err == nil {
			f, err = hostfacts.ParseFacts(string(res.Stdout))
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failures = append(failures, HostError{h, fmt.Errorf("facts: %w", err)})
			return
		}
		facts[h.Address] = f
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(failures) > 0 {
		sortFailures(failures)
		return nil, &UnreachableError{Step: "facts", Failures: failures}
	}
	return facts, nil
}

func sortFailures(f []HostError) {
	sort.Slice(f, func(i, j int) bool { return f[i].Host.Address < f[j].Host.Address })
}

// FactsScripts is facts.sh per host (by address), rendered once per swap area: hosts may have their own.
func FactsScripts(c *cluster.Cluster) (map[string]string, error) {
	byArea := map[templates.Facts]string{}
	out := map[string]string{}
	for _, h := range c.Hosts() {
		s, _, _ := c.SwapOf(h)
		in := templates.Facts{SwapPath: s.Path, SwapType: string(s.Type), SwapDevice: s.Device, SwapEncrypt: s.Encrypt, SwapCryptName: cluster.SwapCryptName}
		script, ok := byArea[in]
		if !ok {
			var err error
			if script, err = templates.Render(in); err != nil {
				return nil, err
			}
			byArea[in] = script
		}
		out[h.Address] = script
	}
	return out, nil
}
