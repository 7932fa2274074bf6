package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/swapboot/swapboot/lab"
)

// The pod network as users see it: flannel's pods per node, node readiness, and pods that talk to each
// other across nodes, by pod IP and through a Service's DNS name.

// flannelPodStarts is, per node, when its flannel pod started (status.startTime).
func (e *env) flannelPodStarts() map[string]time.Time {
	e.t.Helper()
	out, err := e.kubectlOut("-n", "kube-flannel", "get", "pods", "-l", "app=flannel", "-o", "json")
	if err != nil {
		e.t.Fatalf("flannel pods: %v\n%s", err, out)
	}
	var list struct {
		Items []struct {
			Spec   struct{ NodeName string } `json:"spec"`
			Status struct {
				Phase     string    `json:"phase"`
				StartTime time.Time `json:"startTime"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		e.t.Fatal(err)
	}
	starts := map[string]time.Time{}
	for _, p := range list.Items {
		if p.Status.Phase == "Running" {
			starts[p.Spec.NodeName] = p.Status.StartTime
		}
	}
	return starts
}

// nodeReadySince is, per Ready node, when its Ready condition last turned True.
func (e *env) nodeReadySince() map[string]time.Time {
	e.t.Helper()
	out, err := e.kubectlOut("get", "nodes", "-o", "json")
	if err != nil {
		e.t.Fatalf("nodes: %v\n%s", err, out)
	}
	var list struct {
		Items []struct {
			Metadata struct{ Name string } `json:"metadata"`
			Status   struct {
				Conditions []struct {
					Type, Status       string
					LastTransitionTime time.Time `json:"lastTransitionTime"`
				} `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		e.t.Fatal(err)
	}
	since := map[string]time.Time{}
	for _, n := range list.Items {
		for _, c := range n.Status.Conditions {
			if c.Type == "Ready" && c.Status == "True" {
				since[n.Metadata.Name] = c.LastTransitionTime
			}
		}
	}
	return since
}

// runToolsPod starts a pod of the lab's tools image on node (nodeName: no scheduler, so the master's
// taint does not matter) and waits until it is Ready.
func (e *env) runToolsPod(name, node string, command ...string) {
	e.t.Helper()
	overrides := fmt.Sprintf(`{"spec":{"nodeName":%q}}`, node)
	args := []string{"run", name, "--image=" + lab.ToolsImage, "--image-pull-policy=Never", "--restart=Never",
		"--labels=app=" + name, "--overrides=" + overrides, "--command", "--"}
	if out, err := e.kubectlOut(append(args, command...)...); err != nil {
		e.t.Fatalf("kubectl run %s: %v\n%s", name, err, out)
	}
	if out, err := e.kubectlOut("wait", "--for=condition=Ready", "pod/"+name, "--timeout=120s"); err != nil {
		desc, _ := e.kubectlOut("describe", "pod", name)
		e.t.Fatalf("pod %s not Ready on %s: %v\n%s\n%s", name, node, err, out, desc)
	}
}

// webPod serves "hello from <node>" on :8080.
func (e *env) webPod(name, node string) {
	e.runToolsPod(name, node, "sh", "-c", "mkdir -p /www && echo hello from "+node+" > /www/index.html && exec httpd -f -p 8080 -h /www")
}

func (e *env) podIP(name string) string {
	e.t.Helper()
	out, err := e.kubectlOut("get", "pod", name, "-o", "jsonpath={.status.podIP}")
	if err != nil || out == "" {
		e.t.Fatalf("pod %s IP: %v %q", name, err, out)
	}
	return out
}

// fetch runs wget in pod from and returns what it got from url. busybox's own timeout bounds it (the
// static busybox's wget -T crashes).
func (e *env) fetch(from, url string) (string, error) {
	return e.kubectlOut("exec", from, "--", "timeout", "20", "wget", "-q", "-O", "-", url)
}

// flannelLeftovers lists what flannel leaves on a host that is still there.
func (e *env) flannelLeftovers(host string) []string {
	e.t.Helper()
	var left []string
	for _, dev := range []string{"cni0", "flannel.1"} {
		if strings.TrimSpace(e.host(host, "sh", "-c", "ip -o link show dev "+dev+" 2>/dev/null || true")) != "" {
			left = append(left, "interface "+dev)
		}
	}
	for _, path := range []string{"/run/flannel", "/etc/cni/net.d/10-flannel.conflist"} {
		if strings.TrimSpace(e.host(host, "sh", "-c", "ls -d "+path+" 2>/dev/null || true")) != "" {
			left = append(left, path)
		}
	}
	return left
}

// flannelSubnet reads FLANNEL_SUBNET from a host's /run/flannel/subnet.env. flanneld writes it once it
// holds its lease, a moment after its pod runs (the manifest has no readiness probe), so it is awaited.
func (e *env) flannelSubnet(host string) string {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		env := e.host(host, "sh", "-c", "cat /run/flannel/subnet.env 2>/dev/null || true")
		for _, line := range strings.Split(env, "\n") {
			if v, ok := strings.CutPrefix(line, "FLANNEL_SUBNET="); ok {
				return v
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: no FLANNEL_SUBNET in /run/flannel/subnet.env after 60s:\n%s", host, env)
		}
		time.Sleep(2 * time.Second)
	}
}

// withNetworking writes a copy of the cluster file with another networking: line and returns its path.
func (e *env) withNetworking(networking string) string {
	e.t.Helper()
	return e.withLine(e.clusterFile, filepath.Join(e.dir, "cluster-networking.yaml"), "networking:", "networking: "+networking)
}
