package lab

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// RunSupervisor is the hidden helper `_host LABDIR HOST`: the long-lived
// process of one host. It joins the host's network namespace, starts the
// host's init stage in new namespaces inside the host's cgroups, serves the
// host's FUSE swap view, restarts the host when its systemd reboots, and
// removes the host's cgroups once they are empty.
func RunSupervisor(labDir, hostName string) error {
	log.SetPrefix("[" + hostName + " supervisor] ")
	p := Paths{Dir: labDir}
	st, err := p.LoadState()
	if err != nil {
		return err
	}
	h, err := st.Host(hostName)
	if err != nil {
		return err
	}
	hp := p.Host(h.Name)
	if err := os.WriteFile(hp.SupervisorPID(), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	defer os.Remove(hp.SupervisorPID())

	// Children inherit the namespaces of the thread that forks them.
	runtime.LockOSThread()
	nsfd, err := unix.Open(netnsPath(h.Name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := unix.Setns(nsfd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("join netns %s: %w", h.Name, err)
	}
	unix.Close(nsfd)

	dirs := hostCgroupDirs(st, h.Name)
	if err := createCgroups(dirs); err != nil {
		return err
	}
	home, err := selfCgroupDirs()
	if err != nil {
		return err
	}

	spec := InitSpec{Hostname: h.Name, HostDir: hp.Dir, Container: "swapboot-lab", Hierarchies: st.Hierarchies}
	if h.DiskBytes > 0 {
		spec.Disk = hp.Disk()
	}
	if st.Kubernetes {
		spec.ExtraLowers = []string{p.K8sLayer() + "/usr"}
	}
	specJSON, _ := json.Marshal(spec)

	var stopping atomic.Bool
	var childPID atomic.Int64
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		for range sigs {
			stopping.Store(true)
			if pid := childPID.Load(); pid > 0 {
				_ = unix.Kill(int(pid), unix.SIGKILL)
			}
		}
	}()

	console, err := os.OpenFile(hp.Console(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer console.Close()

	for boot := 1; !stopping.Load(); boot++ {
		fuseFile, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
		if err != nil {
			return err
		}
		// The init stage writes one byte on this pipe once it has mounted the
		// view; the FUSE handshake can only start after the mount.
		mounted, mountedW, err := os.Pipe()
		if err != nil {
			return err
		}
		view := &SwapView{}
		go func() {
			defer mounted.Close()
			if n, _ := mounted.Read(make([]byte, 1)); n != 1 {
				return
			}
			if err := serveSwapView(view, fuseFile); err != nil {
				log.Printf("swap view: %v", err)
			}
		}()
		if err := joinCgroups(dirs, 0); err != nil {
			return err
		}
		self, _ := os.Executable()
		cmd := exec.Command(self, "_init")
		cmd.Args[0] = "swapboot-lab-init"
		cmd.Path = "/proc/self/exe"
		cmd.Env = []string{initSpecEnv + "=" + string(specJSON), "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
		cmd.ExtraFiles = []*os.File{fuseFile, mountedW}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, console, console
		cmd.Dir = "/"
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags: unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWPID | unix.CLONE_NEWCGROUP,
			Pdeathsig:  syscall.SIGKILL,
		}
		err = cmd.Start()
		mountedW.Close()
		if jerr := joinCgroups(home, 0); jerr != nil {
			log.Printf("leave host cgroups: %v", jerr)
		}
		if err != nil {
			return fmt.Errorf("start host init: %w", err)
		}
		childPID.Store(int64(cmd.Process.Pid))
		view.initPID.Store(int64(cmd.Process.Pid))
		if stopping.Load() {
			_ = cmd.Process.Kill()
		}
		_ = os.WriteFile(hp.InitPID(), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
		log.Printf("boot %d: host PID 1 is %d", boot, cmd.Process.Pid)
		err = cmd.Wait()
		childPID.Store(0)
		_ = os.Remove(hp.InitPID())
		fuseFile.Close()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		// reboot(2) in a PID namespace ends its init with SIGHUP; halt and
		// poweroff with SIGINT.
		if ws.Signaled() && ws.Signal() == syscall.SIGHUP && !stopping.Load() {
			log.Printf("host rebooted; starting it again")
			waitEmpty(dirs, 30*time.Second)
			continue
		}
		log.Printf("host PID 1 exited: %v", err)
		break
	}
	if err := removeCgroups(dirs, 60*time.Second); err != nil {
		return err
	}
	log.Printf("host stopped, cgroups removed")
	return nil
}

func waitEmpty(dirs []string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		n := 0
		for _, d := range dirs {
			n += len(cgroupPIDs(d))
		}
		if n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
