package sshexec

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// LocalSetupError is a problem on this machine that no host can fix: a key file that cannot be read or
// is not a private key, or hosts without a key file while no ssh-agent is usable. CheckLocal reports it
// before any host is contacted, once for every host it concerns.
type LocalSetupError struct {
	Problems []string // one line each: what, for which hosts, how to fix it
}

func (e *LocalSetupError) Error() string {
	if len(e.Problems) == 1 {
		return "local SSH setup: " + e.Problems[0]
	}
	return "local SSH setup:\n  " + strings.Join(e.Problems, "\n  ")
}

// ExitCode: a local setup problem is bad input (2); nothing was dialled.
func (e *LocalSetupError) ExitCode() int { return 2 }

// CheckLocal checks, without contacting any host, that every endpoint (and its bastion) has a credential
// to offer: each key file is readable and a private key (a passphrase-protected one is fine: the
// passphrase is asked later), and endpoints without a key file have a usable ssh-agent with keys.
func CheckLocal(eps []Endpoint, opts Options) error {
	opts = opts.withDefaults()
	keyUsers := map[string][]string{} // key file -> hosts
	var agentUsers []string
	var walk func(ep Endpoint, via string)
	walk = func(ep Endpoint, via string) {
		name := ep.label() + via
		if len(ep.KeyFiles) == 0 {
			agentUsers = append(agentUsers, name)
		}
		for _, k := range ep.KeyFiles {
			keyUsers[k] = append(keyUsers[k], name)
		}
		if ep.Bastion != nil {
			walk(*ep.Bastion, " (bastion of "+ep.label()+")")
		}
	}
	for _, ep := range eps {
		walk(ep, "")
	}
	var problems []string
	files := make([]string, 0, len(keyUsers))
	for k := range keyUsers {
		files = append(files, k)
	}
	sort.Strings(files)
	for _, path := range files {
		if prob := checkKeyFile(path); prob != "" {
			problems = append(problems, fmt.Sprintf("key file %s (%s): %s", path, hostList(keyUsers[path]), prob))
		}
	}
	if len(agentUsers) > 0 {
		if prob := checkAgent(opts); prob != "" {
			problems = append(problems, fmt.Sprintf("%s: no keyFile and %s; set ssh.keyFile in the cluster file, or start ssh-agent and ssh-add a key", hostList(agentUsers), prob))
		}
	}
	if len(problems) > 0 {
		return &LocalSetupError{Problems: problems}
	}
	return nil
}

func checkKeyFile(path string) string {
	pem, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Sprintf("cannot be read (%v); check the path (keyFile in the cluster file) and its permissions", err)
	}
	_, err = ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if err != nil && !errors.As(err, &missing) {
		return fmt.Sprintf("is not a private key SSH can use (%v); give the private key, not the .pub file", err)
	}
	return ""
}

func checkAgent(opts Options) string {
	sock := os.Getenv("SSH_AUTH_SOCK")
	if !opts.UseAgent || sock == "" {
		return "no ssh-agent (SSH_AUTH_SOCK is not set)"
	}
	conn, err := net.DialTimeout("unix", sock, opts.DialTimeout)
	if err != nil {
		return fmt.Sprintf("the ssh-agent at SSH_AUTH_SOCK=%s does not answer (%v)", sock, err)
	}
	defer conn.Close()
	keys, err := agent.NewClient(conn).List()
	if err != nil {
		return fmt.Sprintf("the ssh-agent at SSH_AUTH_SOCK=%s does not answer (%v)", sock, err)
	}
	if len(keys) == 0 {
		return "the ssh-agent holds no keys"
	}
	return ""
}

func hostList(hosts []string) string {
	if len(hosts) > 4 {
		return fmt.Sprintf("%s and %d more hosts", strings.Join(hosts[:3], ", "), len(hosts)-3)
	}
	return strings.Join(hosts, ", ")
}
