// Package cachecheck validates a cache written by ../build.sh: the binaries,
// images.txt and every image tarball (OCI layout structure, digests, the
// entrypoints kubeadm invokes, and that every dynamically linked file in an
// image finds its loader and shared libraries inside the image).
//
//	cd lab/k8sbuild && go test ./cachecheck/ [-v]
//
// It looks at $SWAPBOOT_LAB_CACHE (default /var/cache/swapboot-lab) and the
// version K8SBUILD_VERSION (default: the one in ../go.mod), and skips when
// that cache has not been built.
package cachecheck

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var binaries = []string{"kubeadm", "kubelet", "kubectl", "kube-apiserver", "kube-controller-manager",
	"kube-scheduler", "kube-proxy", "etcd", "coredns", "pause"}

func cacheDir(t *testing.T) (dir, version string) {
	t.Helper()
	root := os.Getenv("SWAPBOOT_LAB_CACHE")
	if root == "" {
		root = "/var/cache/swapboot-lab"
	}
	version = os.Getenv("K8SBUILD_VERSION")
	if version == "" {
		b, err := os.ReadFile("../go.mod")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "k8s.io/kubernetes" {
				version = f[1]
				break
			}
		}
	}
	dir = filepath.Join(root, "k8s", version)
	if _, err := os.Stat(filepath.Join(dir, "DONE")); err != nil {
		t.Skipf("no built cache at %s (run build.sh first)", dir)
	}
	return dir, version
}

func TestBinaries(t *testing.T) {
	dir, version := cacheDir(t)
	for _, b := range binaries {
		p := filepath.Join(dir, "bin", b)
		f, err := elf.Open(p)
		if err != nil {
			t.Errorf("%s: %v", b, err)
			continue
		}
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				t.Errorf("%s is dynamically linked; want a static binary", b)
			}
		}
		f.Close()
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"kubeadm", "version", "-o", "short"}, version},
		{[]string{"kubelet", "--version"}, "Kubernetes " + version},
		{[]string{"kube-apiserver", "--version"}, "Kubernetes " + version},
		{[]string{"kube-proxy", "--version"}, "Kubernetes " + version},
	} {
		out, err := exec.Command(filepath.Join(dir, "bin", c.args[0]), c.args[1:]...).Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != c.want {
			t.Errorf("%v: got %q (%v), want %q", c.args, got, err, c.want)
		}
	}
	out, err := exec.Command(filepath.Join(dir, "bin", "kubectl"), "version", "--client", "-o", "json").Output()
	if err != nil || !bytes.Contains(out, []byte(`"gitVersion": "`+version+`"`)) || !bytes.Contains(out, []byte(`"gitTreeState": "clean"`)) {
		t.Errorf("kubectl version --client: %s (%v)", out, err)
	}
}

// file is one entry of an image layer.
type file struct {
	typ  byte
	mode int64
	link string
	data []byte
}

type layerFS map[string]*file // path without leading slash

// resolve follows symlinks inside the layer (absolute links are relative to
// the layer's root) and returns the final path and entry.
func (l layerFS) resolve(p string) (string, *file, error) {
	for hops := 0; hops < 40; hops++ {
		parts := strings.Split(strings.TrimPrefix(path.Clean("/"+p), "/"), "/")
		cur := ""
		restarted := false
		for i, part := range parts {
			next := path.Join(cur, part)
			f, ok := l[next]
			if !ok {
				return "", nil, fmt.Errorf("/%s: not in the image", next)
			}
			if f.typ == tar.TypeSymlink {
				target := f.link
				if !path.IsAbs(target) {
					target = path.Join("/", cur, target)
				}
				p = path.Join(append([]string{target}, parts[i+1:]...)...)
				restarted = true
				break
			}
			if i == len(parts)-1 {
				return next, f, nil
			}
			if f.typ != tar.TypeDir {
				return "", nil, fmt.Errorf("/%s: not a directory", next)
			}
			cur = next
		}
		if !restarted {
			return "", nil, fmt.Errorf("%s: empty path", p)
		}
	}
	return "", nil, fmt.Errorf("%s: too many symlinks", p)
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
	Platform    *struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
	} `json:"platform"`
}

type image struct {
	ref    string
	config struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Config       struct {
			Env        []string
			Entrypoint []string
			Cmd        []string
		} `json:"config"`
		RootFS struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}
	layer layerFS
}

// readImage checks the archive's structure and returns its config and layer.
func readImage(t *testing.T, tarPath, wantRef string) *image {
	t.Helper()
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(bufio.NewReader(f))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", tarPath, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = b
	}
	blob := func(d descriptor) []byte {
		t.Helper()
		b, ok := files["blobs/sha256/"+strings.TrimPrefix(d.Digest, "sha256:")]
		if !ok {
			t.Fatalf("%s: blob %s missing", tarPath, d.Digest)
		}
		if int64(len(b)) != d.Size {
			t.Fatalf("%s: blob %s has %d bytes, descriptor says %d", tarPath, d.Digest, len(b), d.Size)
		}
		return b
	}
	for name, b := range files {
		if hexd, ok := strings.CutPrefix(name, "blobs/sha256/"); ok {
			s := sha256.Sum256(b)
			if hex.EncodeToString(s[:]) != hexd {
				t.Fatalf("%s: %s does not match its digest", tarPath, name)
			}
		}
	}
	var layout struct {
		Version string `json:"imageLayoutVersion"`
	}
	if err := json.Unmarshal(files["oci-layout"], &layout); err != nil || layout.Version != "1.0.0" {
		t.Fatalf("%s: bad oci-layout %q (%v)", tarPath, files["oci-layout"], err)
	}
	var index struct {
		SchemaVersion int          `json:"schemaVersion"`
		Manifests     []descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(files["index.json"], &index); err != nil {
		t.Fatalf("%s: index.json: %v", tarPath, err)
	}
	if index.SchemaVersion != 2 || len(index.Manifests) != 1 {
		t.Fatalf("%s: index.json: want schemaVersion 2 and one manifest: %s", tarPath, files["index.json"])
	}
	md := index.Manifests[0]
	if got := md.Annotations["io.containerd.image.name"]; got != wantRef {
		t.Errorf("%s: image name %q, want %q", tarPath, got, wantRef)
	}
	if md.Platform == nil || md.Platform.OS != "linux" || md.Platform.Architecture != "amd64" {
		t.Errorf("%s: manifest platform is not linux/amd64", tarPath)
	}
	var manifest struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Config        descriptor   `json:"config"`
		Layers        []descriptor `json:"layers"`
	}
	if err := json.Unmarshal(blob(md), &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.MediaType != md.MediaType || manifest.MediaType != "application/vnd.oci.image.manifest.v1+json" {
		t.Errorf("%s: manifest media type %q / %q", tarPath, manifest.MediaType, md.MediaType)
	}
	img := &image{ref: wantRef, layer: layerFS{}}
	if err := json.Unmarshal(blob(manifest.Config), &img.config); err != nil {
		t.Fatal(err)
	}
	if img.config.OS != "linux" || img.config.Architecture != "amd64" {
		t.Errorf("%s: config is %s/%s", tarPath, img.config.OS, img.config.Architecture)
	}
	if len(manifest.Layers) != 1 || manifest.Layers[0].MediaType != "application/vnd.oci.image.layer.v1.tar" {
		t.Fatalf("%s: want one uncompressed layer, got %+v", tarPath, manifest.Layers)
	}
	if len(img.config.RootFS.DiffIDs) != 1 || img.config.RootFS.DiffIDs[0] != manifest.Layers[0].Digest {
		t.Errorf("%s: diff_ids %v do not match the layer %s", tarPath, img.config.RootFS.DiffIDs, manifest.Layers[0].Digest)
	}
	// The docker-style manifest.json beside the OCI layout.
	var dm []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(files["manifest.json"], &dm); err != nil || len(dm) != 1 ||
		len(dm[0].RepoTags) != 1 || dm[0].RepoTags[0] != wantRef ||
		dm[0].Config != "blobs/sha256/"+strings.TrimPrefix(manifest.Config.Digest, "sha256:") ||
		len(dm[0].Layers) != 1 || dm[0].Layers[0] != "blobs/sha256/"+strings.TrimPrefix(manifest.Layers[0].Digest, "sha256:") {
		t.Errorf("%s: manifest.json does not match: %s (%v)", tarPath, files["manifest.json"], err)
	}

	lr := tar.NewReader(bytes.NewReader(blob(manifest.Layers[0])))
	for {
		h, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: layer: %v", tarPath, err)
		}
		name := strings.TrimSuffix(path.Clean("/"+h.Name), "/")[1:]
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: /%s is not owned by root", tarPath, name)
		}
		if _, dup := img.layer[name]; dup {
			t.Errorf("%s: /%s twice in the layer", tarPath, name)
		}
		if d := path.Dir(name); d != "." {
			if p, ok := img.layer[d]; !ok || p.typ != tar.TypeDir {
				t.Errorf("%s: /%s comes before its directory", tarPath, name)
			}
		}
		fl := &file{typ: h.Typeflag, mode: h.Mode, link: h.Linkname}
		switch h.Typeflag {
		case tar.TypeReg:
			if fl.data, err = io.ReadAll(lr); err != nil {
				t.Fatal(err)
			}
		case tar.TypeDir, tar.TypeSymlink:
		default:
			t.Errorf("%s: /%s has unexpected type %q", tarPath, name, h.Typeflag)
		}
		img.layer[name] = fl
	}
	return img
}

func (img *image) env(k string) string {
	for _, e := range img.config.Config.Env {
		if v, ok := strings.CutPrefix(e, k+"="); ok {
			return v
		}
	}
	return ""
}

// lookPath finds an executable like a container runtime does with PATH.
func (img *image) lookPath(name string) (string, *file, error) {
	if strings.Contains(name, "/") {
		return img.layer.resolve(name)
	}
	for _, d := range strings.Split(img.env("PATH"), ":") {
		if p, f, err := img.layer.resolve(path.Join(d, name)); err == nil && f.typ == tar.TypeReg {
			return p, f, nil
		}
	}
	return "", nil, fmt.Errorf("%s not found on the image's PATH %q", name, img.env("PATH"))
}

// checkELFs checks that every dynamically linked file in the layer finds its
// loader and every DT_NEEDED library (recursively) inside the layer.
func (img *image) checkELFs(t *testing.T) (dynamic int) {
	t.Helper()
	libDirs := []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}
	names := make([]string, 0, len(img.layer))
	for n := range img.layer {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fl := img.layer[n]
		if fl.typ != tar.TypeReg || !bytes.HasPrefix(fl.data, []byte("\x7fELF")) {
			continue
		}
		ef, err := elf.NewFile(bytes.NewReader(fl.data))
		if err != nil {
			t.Errorf("%s: /%s: %v", img.ref, n, err)
			continue
		}
		for _, p := range ef.Progs {
			if p.Type != elf.PT_INTERP {
				continue
			}
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				t.Fatal(err)
			}
			interp := strings.TrimRight(string(b), "\x00")
			if _, f, err := img.layer.resolve(interp); err != nil || f.typ != tar.TypeReg || f.mode&0o111 == 0 {
				t.Errorf("%s: /%s: loader %s: %v", img.ref, n, interp, err)
			}
		}
		libs, err := ef.ImportedLibraries()
		if err != nil {
			t.Errorf("%s: /%s: %v", img.ref, n, err)
		}
		if len(libs) > 0 {
			dynamic++
		}
	lib:
		for _, lib := range libs {
			for _, d := range libDirs {
				if _, f, err := img.layer.resolve(path.Join(d, lib)); err == nil && f.typ == tar.TypeReg {
					continue lib
				}
			}
			t.Errorf("%s: /%s needs %s, which is not in the image", img.ref, n, lib)
		}
		ef.Close()
	}
	return dynamic
}

func TestImages(t *testing.T) {
	dir, version := cacheDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "images.txt"))
	if err != nil {
		t.Fatal(err)
	}
	refs := strings.Fields(string(b))
	// images.txt must be exactly what the built kubeadm prints.
	out, err := exec.Command(filepath.Join(dir, "bin", "kubeadm"), "config", "images", "list", "--kubernetes-version", version).Output()
	if err != nil || string(out) != string(b) {
		t.Errorf("images.txt differs from kubeadm config images list (%v):\n%s\nvs\n%s", err, b, out)
	}
	if len(refs) != 7 {
		t.Errorf("images.txt has %d images, want 7", len(refs))
	}
	tars, _ := filepath.Glob(filepath.Join(dir, "images", "*.tar"))
	if len(tars) != len(refs) {
		t.Errorf("%d tarballs for %d images", len(tars), len(refs))
	}
	for _, ref := range refs {
		name := ref[strings.LastIndex(ref, "/")+1:]
		name = name[:strings.Index(name, ":")]
		t.Run(name, func(t *testing.T) {
			img := readImage(t, filepath.Join(dir, "images", name+".tar"), ref)
			// The command kubeadm's manifests run (a name looked up on PATH
			// for the static pods, an absolute path for kube-proxy), or the
			// image's entrypoint for coredns and pause.
			var cmds []string
			switch name {
			case "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd":
				cmds = []string{name}
			case "kube-proxy":
				cmds = []string{"/usr/local/bin/kube-proxy", "iptables", "iptables-save", "iptables-restore",
					"ip6tables", "ip6tables-save", "ip6tables-restore"}
			case "coredns", "pause":
				want := []string{"/" + name}
				if got := img.config.Config.Entrypoint; strings.Join(got, " ") != want[0] {
					t.Errorf("entrypoint %q, want %q", got, want)
				}
			default:
				t.Fatalf("unexpected image %s", ref)
			}
			cmds = append(cmds, img.config.Config.Entrypoint...)
			for _, c := range cmds {
				p, f, err := img.lookPath(c)
				if err != nil || f.typ != tar.TypeReg || f.mode&0o111 == 0 {
					t.Errorf("command %s: %v", c, err)
					continue
				}
				if strings.HasPrefix(c, "ip") && path.Base(p) != "xtables-nft-multi" {
					t.Errorf("%s resolves to /%s, want xtables-nft-multi", c, p)
				}
			}
			dyn := img.checkELFs(t)
			if name == "kube-proxy" {
				if dyn < 10 {
					t.Errorf("only %d dynamically linked files; the xtables extensions are missing?", dyn)
				}
				exts := 0
				for n := range img.layer {
					if strings.Contains(n, "/xtables/lib") && strings.HasSuffix(n, ".so") {
						exts++
					}
				}
				if exts < 50 {
					t.Errorf("only %d xtables extensions in the image", exts)
				}
				runIptables(t, img)
			} else if dyn != 0 {
				t.Errorf("%d dynamically linked files; want only static binaries", dyn)
			}
		})
	}
}

// runIptables unpacks the kube-proxy layer and, as root, runs its iptables
// in a chroot inside a new network namespace: the libraries and extensions
// must really load, and rules in the style kube-proxy writes must apply.
func runIptables(t *testing.T, img *image) {
	if os.Geteuid() != 0 {
		t.Log("not root: not running the image's iptables")
		return
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Log("no unshare: not running the image's iptables")
		return
	}
	root := t.TempDir()
	for n, f := range img.layer {
		p := filepath.Join(root, n)
		var err error
		switch f.typ {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = os.Symlink(f.link, p)
			}
		case tar.TypeReg:
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = os.WriteFile(p, f.data, os.FileMode(f.mode)&0o777)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	script := `set -e
r=$1
chroot "$r" iptables -t nat -N KUBE-SERVICES
chroot "$r" iptables -t nat -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
chroot "$r" iptables -t nat -A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -m statistic --mode random --probability 0.5 -j DNAT --to-destination 192.0.2.2:6443
chroot "$r" iptables -t filter -A FORWARD -m conntrack --ctstate INVALID -m mark --mark 0x8000/0x8000 -j DROP
printf '*nat\n:KUBE-TEST - [0:0]\n-A KUBE-TEST -p udp -j MASQUERADE --random-fully\nCOMMIT\n' | chroot "$r" iptables-restore --noflush
printf '*filter\n:KUBE-TEST6 - [0:0]\n-A KUBE-TEST6 -p tcp -m multiport --dports 80,443 -j REJECT\nCOMMIT\n' | chroot "$r" ip6tables-restore --noflush
chroot "$r" iptables-save
chroot "$r" ip6tables-save
`
	out, err := exec.Command("unshare", "--net", "bash", "-c", script, "bash", root).CombinedOutput()
	if err != nil {
		t.Fatalf("iptables in the kube-proxy image: %v\n%s", err, out)
	}
	for _, want := range []string{"--to-destination 192.0.2.2:6443", "--random-fully", "--ctstate INVALID", "--dports 80,443"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("iptables-save lacks %q:\n%s", want, out)
		}
	}
}
