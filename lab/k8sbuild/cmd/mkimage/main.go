// Command mkimage writes a single-layer FROM-scratch container image as a tar
// file in OCI image layout (with a docker-style manifest.json beside it), so
// that `ctr -n k8s.io images import FILE` registers it under -ref.
//
// The layer is built from:
//
//	-add SRC:DST      a file produced by the build (mode kept, owner root)
//	-host PATH        a host path copied to the same path in the image; every
//	                  symlink on the way is kept as a symlink, directories are
//	                  copied recursively
//	-symlink PATH=TARGET
//	-dir PATH:MODE    an empty directory (octal mode)
//
// With -ldd, every ELF file added with -host is passed to ldd and every
// shared library it loads (and the loader) is added too.
//
// The output is deterministic: all timestamps are -mtime (seconds since the
// epoch) and entries are sorted by path.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

type entry struct {
	name   string // image path without leading slash
	typ    byte   // tar.TypeReg, tar.TypeDir, tar.TypeSymlink
	mode   int64
	src    string // host file for TypeReg
	target string // for TypeSymlink
}

type layer struct {
	entries map[string]*entry
	elfs    []string // host paths of ELF files added with -host
}

func newLayer() *layer { return &layer{entries: map[string]*entry{}} }

func clean(p string) string { return strings.TrimPrefix(path.Clean("/"+p), "/") }

// ensureParents adds directory entries for every parent of name.
func (l *layer) ensureParents(name string) error {
	dir := path.Dir(name)
	if dir == "." || dir == "" {
		return nil
	}
	if err := l.ensureParents(dir); err != nil {
		return err
	}
	if e, ok := l.entries[dir]; ok {
		if e.typ != tar.TypeDir {
			return fmt.Errorf("/%s is needed as a directory but is not one", dir)
		}
		return nil
	}
	l.entries[dir] = &entry{name: dir, typ: tar.TypeDir, mode: 0o755}
	return nil
}

func (l *layer) put(e *entry) error {
	e.name = clean(e.name)
	if e.name == "" {
		return errors.New("cannot add /")
	}
	if old, ok := l.entries[e.name]; ok {
		if old.typ == e.typ && old.src == e.src && old.target == e.target {
			return nil
		}
		if !(old.typ == tar.TypeDir && e.typ == tar.TypeDir) {
			return fmt.Errorf("/%s added twice with different content", e.name)
		}
	}
	if err := l.ensureParents(e.name); err != nil {
		return err
	}
	l.entries[e.name] = e
	return nil
}

// addHost copies host path p into the image at the same path, keeping every
// symlink met on the way (in any component) as a symlink.
func (l *layer) addHost(p string, depth int) error {
	if depth > 40 {
		return fmt.Errorf("%s: too many levels of symbolic links", p)
	}
	p = path.Clean(p)
	if !path.IsAbs(p) {
		return fmt.Errorf("%s: -host needs an absolute path", p)
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	cur := "/"
	for i, part := range parts {
		next := path.Join(cur, part)
		fi, err := os.Lstat(next)
		if err != nil {
			return err
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			t, err := os.Readlink(next)
			if err != nil {
				return err
			}
			if err := l.put(&entry{name: next, typ: tar.TypeSymlink, mode: 0o777, target: t}); err != nil {
				return err
			}
			resolved := t
			if !path.IsAbs(t) {
				resolved = path.Join(cur, t)
			}
			rest := path.Join(parts[i+1:]...)
			return l.addHost(path.Join(resolved, rest), depth+1)
		}
		last := i == len(parts)-1
		switch {
		case fi.IsDir() && !last:
			// parents are created as needed
		case fi.IsDir():
			if err := l.put(&entry{name: next, typ: tar.TypeDir, mode: int64(fi.Mode().Perm())}); err != nil {
				return err
			}
			des, err := os.ReadDir(next)
			if err != nil {
				return err
			}
			for _, de := range des {
				if err := l.addHost(path.Join(next, de.Name()), depth); err != nil {
					return err
				}
			}
		case fi.Mode().IsRegular() && last:
			if err := l.put(&entry{name: next, typ: tar.TypeReg, mode: int64(fi.Mode().Perm()), src: next}); err != nil {
				return err
			}
			if isELF(next) {
				l.elfs = append(l.elfs, next)
			}
		default:
			return fmt.Errorf("%s: unsupported file type %v", next, fi.Mode())
		}
		cur = next
	}
	return nil
}

func isELF(p string) bool {
	f, err := elf.Open(p)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// lddDeps returns the absolute paths ldd reports for an ELF file (libraries
// and the loader). A statically linked file has none.
func lddDeps(p string) ([]string, error) {
	out, err := exec.Command("ldd", p).CombinedOutput()
	s := string(out)
	if err != nil {
		if strings.Contains(s, "not a dynamic executable") || strings.Contains(s, "statically linked") {
			return nil, nil
		}
		return nil, fmt.Errorf("ldd %s: %v: %s", p, err, s)
	}
	var deps []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 3 && f[1] == "=>" && f[2] == "not":
			return nil, fmt.Errorf("ldd %s: %s not found", p, f[0])
		case len(f) >= 3 && f[1] == "=>" && path.IsAbs(f[2]):
			deps = append(deps, f[2])
		case len(f) >= 1 && path.IsAbs(f[0]):
			deps = append(deps, f[0]) // the loader
		}
	}
	return deps, sc.Err()
}

func (l *layer) addLddDeps() error {
	seen := map[string]bool{}
	queue := append([]string(nil), l.elfs...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		deps, err := lddDeps(p)
		if err != nil {
			return err
		}
		for _, d := range deps {
			n := len(l.elfs)
			if err := l.addHost(d, 0); err != nil {
				return err
			}
			queue = append(queue, l.elfs[n:]...)
		}
	}
	return nil
}

// digestWriter counts and hashes what passes through it.
type digestWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (d *digestWriter) Write(b []byte) (int, error) {
	n, err := d.w.Write(b)
	d.h.Write(b[:n])
	d.n += int64(n)
	return n, err
}

func (l *layer) writeTar(w io.Writer, mtime time.Time) error {
	names := make([]string, 0, len(l.entries))
	for n := range l.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tar.NewWriter(w)
	for _, n := range names {
		e := l.entries[n]
		h := &tar.Header{Name: e.name, Mode: e.mode, ModTime: mtime, Typeflag: e.typ, Format: tar.FormatPAX}
		switch e.typ {
		case tar.TypeDir:
			h.Name += "/"
		case tar.TypeSymlink:
			h.Linkname = e.target
		case tar.TypeReg:
			fi, err := os.Stat(e.src)
			if err != nil {
				return err
			}
			h.Size = fi.Size()
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if e.typ == tar.TypeReg {
			f, err := os.Open(e.src)
			if err != nil {
				return err
			}
			n, err := io.Copy(tw, f)
			f.Close()
			if err != nil {
				return err
			}
			if n != h.Size {
				return fmt.Errorf("%s changed while being read", e.src)
			}
		}
	}
	return tw.Close()
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *platform         `json:"platform,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type imageConfig struct {
	Created      string `json:"created"`
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Config       struct {
		Env        []string `json:"Env,omitempty"`
		Entrypoint []string `json:"Entrypoint,omitempty"`
		Cmd        []string `json:"Cmd,omitempty"`
		WorkingDir string   `json:"WorkingDir,omitempty"`
		User       string   `json:"User,omitempty"`
	} `json:"config"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

const (
	mtOCIManifest = "application/vnd.oci.image.manifest.v1+json"
	mtOCIIndex    = "application/vnd.oci.image.index.v1+json"
	mtOCIConfig   = "application/vnd.oci.image.config.v1+json"
	mtOCILayer    = "application/vnd.oci.image.layer.v1.tar"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func run() error {
	var adds, hosts, links, dirs, envs multi
	var out, ref, entrypoint, cmd, workdir, user string
	var ldd bool
	var mtimeSec int64
	flag.Var(&adds, "add", "SRC:DST: a built file to put at DST (repeatable)")
	flag.Var(&hosts, "host", "host PATH copied to the same path, symlinks kept (repeatable)")
	flag.Var(&links, "symlink", "PATH=TARGET (repeatable)")
	flag.Var(&dirs, "dir", "PATH:MODE, an empty directory (repeatable)")
	flag.Var(&envs, "env", "K=V for the image config (repeatable)")
	flag.StringVar(&out, "o", "", "output tar file")
	flag.StringVar(&ref, "ref", "", "image reference name:tag; a short name is completed as the runtime completes it")
	flag.StringVar(&entrypoint, "entrypoint", "", "JSON array")
	flag.StringVar(&cmd, "cmd", "", "JSON array")
	flag.StringVar(&workdir, "workdir", "", "working directory")
	flag.StringVar(&user, "user", "", "user")
	flag.BoolVar(&ldd, "ldd", false, "add every shared library (and the loader) the -host ELF files load, found with ldd")
	flag.Int64Var(&mtimeSec, "mtime", 0, "timestamp of every file and of the image (seconds since the epoch)")
	flag.Parse()
	if out == "" || ref == "" || flag.NArg() != 0 {
		flag.Usage()
		return errors.New("need -o and -ref")
	}
	mtime := time.Unix(mtimeSec, 0).UTC()

	l := newLayer()
	for _, d := range dirs {
		p, m, ok := strings.Cut(d, ":")
		mode, err := strconv.ParseInt(m, 8, 32)
		if !ok || err != nil {
			return fmt.Errorf("-dir %q: want PATH:OCTALMODE", d)
		}
		if err := l.put(&entry{name: p, typ: tar.TypeDir, mode: mode}); err != nil {
			return err
		}
	}
	for _, a := range adds {
		src, dst, ok := strings.Cut(a, ":")
		if !ok {
			return fmt.Errorf("-add %q: want SRC:DST", a)
		}
		fi, err := os.Stat(src)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("-add %s: not a regular file", src)
		}
		if err := l.put(&entry{name: dst, typ: tar.TypeReg, mode: int64(fi.Mode().Perm()), src: src}); err != nil {
			return err
		}
	}
	for _, h := range hosts {
		if err := l.addHost(h, 0); err != nil {
			return err
		}
	}
	if ldd {
		if err := l.addLddDeps(); err != nil {
			return err
		}
	}
	for _, s := range links {
		p, t, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("-symlink %q: want PATH=TARGET", s)
		}
		if err := l.put(&entry{name: p, typ: tar.TypeSymlink, mode: 0o777, target: t}); err != nil {
			return err
		}
	}

	// The layer goes to a temporary file first: it is hashed while written
	// and then copied into the archive.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".layer-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	dw := &digestWriter{w: bufio.NewWriterSize(tmp, 1<<20), h: sha256.New()}
	if err := l.writeTar(dw, mtime); err != nil {
		return err
	}
	if err := dw.w.(*bufio.Writer).Flush(); err != nil {
		return err
	}
	layerDigest := "sha256:" + hex.EncodeToString(dw.h.Sum(nil))
	layerSize := dw.n

	var cfg imageConfig
	cfg.Created = mtime.Format(time.RFC3339)
	cfg.Architecture = "amd64"
	cfg.OS = "linux"
	cfg.Config.Env = envs
	cfg.Config.WorkingDir = workdir
	cfg.Config.User = user
	for _, j := range []struct {
		s   string
		dst *[]string
	}{{entrypoint, &cfg.Config.Entrypoint}, {cmd, &cfg.Config.Cmd}} {
		if j.s == "" {
			continue
		}
		if err := json.Unmarshal([]byte(j.s), j.dst); err != nil {
			return fmt.Errorf("bad JSON array %q: %v", j.s, err)
		}
	}
	cfg.RootFS.Type = "layers"
	cfg.RootFS.DiffIDs = []string{layerDigest}
	cfgJSON := mustJSON(cfg)
	cfgDesc := descriptor{MediaType: mtOCIConfig, Digest: sha(cfgJSON), Size: int64(len(cfgJSON))}

	manifest := struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Config        descriptor   `json:"config"`
		Layers        []descriptor `json:"layers"`
	}{2, mtOCIManifest, cfgDesc, []descriptor{{MediaType: mtOCILayer, Digest: layerDigest, Size: layerSize}}}
	manJSON := mustJSON(manifest)

	ref, tag, err := normalizeRef(ref)
	if err != nil {
		return err
	}
	index := struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Manifests     []descriptor `json:"manifests"`
	}{2, mtOCIIndex, []descriptor{{
		MediaType: mtOCIManifest, Digest: sha(manJSON), Size: int64(len(manJSON)),
		Annotations: map[string]string{
			"io.containerd.image.name":          ref,
			"org.opencontainers.image.ref.name": tag,
		},
		Platform: &platform{Architecture: "amd64", OS: "linux"},
	}}}
	blobPath := func(d string) string { return "blobs/sha256/" + strings.TrimPrefix(d, "sha256:") }
	dockerManifest := []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{blobPath(cfgDesc.Digest), []string{ref}, []string{blobPath(layerDigest)}}}

	f, err := os.CreateTemp(filepath.Dir(out), ".image-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	tw := tar.NewWriter(bw)
	writeFile := func(name string, size int64, r io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Name: d, Mode: 0o755, ModTime: mtime, Typeflag: tar.TypeDir, Format: tar.FormatPAX}); err != nil {
			return err
		}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", mustJSON(index)},
		{"manifest.json", mustJSON(dockerManifest)},
		{blobPath(layerDigest), nil},
		{blobPath(cfgDesc.Digest), cfgJSON},
		{blobPath(sha(manJSON)), manJSON},
	}
	for _, fl := range files {
		var err error
		if fl.data == nil {
			err = writeFile(fl.name, layerSize, tmp)
		} else {
			err = writeFile(fl.name, int64(len(fl.data)), bytes.NewReader(fl.data))
		}
		if err != nil {
			return fmt.Errorf("writing %s: %v", fl.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return err
	}
	fmt.Printf("%s: %s (layer %s, %d bytes, %d entries)\n", out, ref, layerDigest, layerSize, len(l.entries))
	return nil
}

// normalizeRef completes a reference the way the container runtime completes the short names of a
// manifest (flannel/flannel:v0.28.4 is stored under the default registry's full name); a full
// reference stays as it is. The image must have a tag.
func normalizeRef(ref string) (full, tag string, err error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", "", fmt.Errorf("-ref %q: %v", ref, err)
	}
	tagged, ok := named.(reference.NamedTagged)
	if !ok {
		return "", "", fmt.Errorf("-ref %q: want name:tag", ref)
	}
	if _, digested := named.(reference.Digested); digested {
		return "", "", fmt.Errorf("-ref %q: want name:tag without a digest", ref)
	}
	return tagged.String(), tagged.Tag(), nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}
