package lab

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// SwapView is the FUSE file system a host sees at /proc/swaps and
// /proc/meminfo: the machine's files filtered to the host's own swap areas.
// It is computed on every read (no static copy that could go stale).
type SwapView struct {
	fs.Inode
	initPID atomic.Int64 // the host's PID 1 as seen by the machine
}

var _ = (fs.NodeOnAdder)((*SwapView)(nil))

func (v *SwapView) OnAdd(ctx context.Context) {
	for _, name := range []string{"swaps", "meminfo"} {
		f := &viewFile{view: v, name: name}
		ch := v.NewPersistentInode(ctx, f, fs.StableAttr{Mode: syscall.S_IFREG})
		v.AddChild(name, ch, false)
	}
}

// hostSwaps computes the host's entries of the machine's /proc/swaps.
func (v *SwapView) hostSwaps() []SwapEntry {
	raw, err := os.ReadFile("/proc/swaps")
	if err != nil {
		return nil
	}
	pid := v.initPID.Load()
	if pid <= 0 {
		return nil
	}
	rootFD, err := unix.Open("/proc/"+strconv.Itoa(int(pid))+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(rootFD)
	return FilterSwaps(ParseSwaps(string(raw)), func(p string) (bool, int64) { return probeSwapFile(rootFD, p) })
}

func (v *SwapView) render(name string) []byte {
	es := v.hostSwaps()
	if name == "swaps" {
		return []byte(RenderSwaps(es))
	}
	mi, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return nil
	}
	return []byte(FilterMeminfo(string(mi), es))
}

type viewFile struct {
	fs.Inode
	view *SwapView
	name string
}

var _ = (fs.NodeOpener)((*viewFile)(nil))
var _ = (fs.NodeGetattrer)((*viewFile)(nil))

func (f *viewFile) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFREG | 0o444
	out.Size = 0 // like procfs: size unknown until read
	now := time.Now()
	out.SetTimes(&now, &now, &now)
	out.SetTimeout(0)
	return 0
}

func (f *viewFile) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR) != 0 {
		return nil, 0, syscall.EACCES
	}
	// The content is fixed at open, like a seq_file read in one go.
	return &viewHandle{data: f.view.render(f.name)}, fuse.FOPEN_DIRECT_IO, 0
}

type viewHandle struct{ data []byte }

var _ = (fs.FileReader)((*viewHandle)(nil))

func (h *viewHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if off >= int64(len(h.data)) {
		return fuse.ReadResultData(nil), 0
	}
	end := off + int64(len(dest))
	if end > int64(len(h.data)) {
		end = int64(len(h.data))
	}
	return fuse.ReadResultData(h.data[off:end]), 0
}

// serveSwapView serves the view on an open /dev/fuse descriptor until the
// host's mount namespace (the only user of the mount) goes away.
func serveSwapView(view *SwapView, fuseFile *os.File) error {
	zero := time.Duration(0)
	raw := fs.NewNodeFS(view, &fs.Options{EntryTimeout: &zero, AttrTimeout: &zero, NegativeTimeout: &zero})
	srv, err := fuse.NewServer(raw, "/dev/fd/"+strconv.Itoa(int(fuseFile.Fd())), &fuse.MountOptions{
		FsName: "swapboot-lab", Name: "swapboot-lab", AllowOther: true, MaxBackground: 4,
	})
	if err != nil {
		return err
	}
	srv.Serve()
	return nil
}
