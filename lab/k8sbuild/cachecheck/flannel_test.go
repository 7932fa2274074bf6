package cachecheck

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

// flannelDirs returns every finished build of ../../flannelbuild/build.sh in the cache
// ($CACHE/flannel/<version>/DONE), skipping when there is none.
func flannelDirs(t *testing.T) []string {
	t.Helper()
	root := os.Getenv("SWAPBOOT_LAB_CACHE")
	if root == "" {
		root = "/var/cache/swapboot-lab"
	}
	done, _ := filepath.Glob(filepath.Join(root, "flannel", "*", "DONE"))
	if len(done) == 0 {
		t.Skipf("no flannel build in %s/flannel (run lab/flannelbuild/build.sh first)", root)
	}
	var dirs []string
	for _, d := range done {
		dirs = append(dirs, filepath.Dir(d))
	}
	return dirs
}

// checkSums checks a build's SHA256SUMS: every file of bin/ and images/ listed, every sum right.
func checkSums(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Errorf("SHA256SUMS: bad line %q", sc.Text())
			continue
		}
		listed[name] = true
		in, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, in)
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			t.Errorf("%s/%s: sha256 %s, SHA256SUMS says %s", dir, name, got, sum)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"bin", "images"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		for _, p := range files {
			if rel := sub + "/" + filepath.Base(p); !listed[rel] {
				t.Errorf("%s is not in SHA256SUMS", rel)
			}
		}
	}
}

func TestK8sSums(t *testing.T) {
	dir, _ := cacheDir(t)
	checkSums(t, dir)
}

func TestFlannel(t *testing.T) {
	for _, dir := range flannelDirs(t) {
		version := filepath.Base(dir)
		t.Run(version, func(t *testing.T) {
			checkSums(t, dir)
			for _, b := range []string{"flanneld", "flannel", "memhog"} {
				f, err := elf.Open(filepath.Join(dir, "bin", b))
				if err != nil {
					t.Fatalf("%s: %v", b, err)
				}
				for _, p := range f.Progs {
					if p.Type == elf.PT_INTERP {
						t.Errorf("%s is dynamically linked; want a static binary", b)
					}
				}
				f.Close()
			}
			if out, err := exec.Command(filepath.Join(dir, "bin", "flanneld"), "--version").CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != version {
				t.Errorf("flanneld --version: %q (%v), want %s", out, err, version)
			}
			cmd := exec.Command(filepath.Join(dir, "bin", "flannel"))
			cmd.Env = []string{"CNI_COMMAND=VERSION"}
			out, err := cmd.Output()
			var v struct {
				Supported []string `json:"supportedVersions"`
			}
			if err != nil || json.Unmarshal(out, &v) != nil || !strings.Contains(strings.Join(v.Supported, " "), "0.3.1") {
				t.Errorf("CNI plugin VERSION: %s (%v); want 0.3.1 supported (kube-flannel's conflist)", out, err)
			}

			b, err := os.ReadFile(filepath.Join(dir, "images.txt"))
			if err != nil {
				t.Fatal(err)
			}
			refs := strings.Fields(string(b))
			if len(refs) != 3 {
				t.Fatalf("images.txt has %d references, want 3 (flannel, CNI plugin, tools): %q", len(refs), refs)
			}
			for i, name := range []string{"flannel", "flannel-cni-plugin", "tools"} {
				// The tarball registers the name the runtime completes the manifest's short name to.
				named, err := reference.ParseNormalizedNamed(refs[i])
				if err != nil {
					t.Fatalf("images.txt: %q: %v", refs[i], err)
				}
				t.Run(name, func(t *testing.T) {
					img := readImage(t, filepath.Join(dir, "images", name+".tar"), named.String())
					var cmds []string
					switch name {
					case "flannel":
						// kube-flannel.yml's commands, and what flanneld execs for --ip-masq.
						cmds = []string{"/opt/bin/flanneld", "cp", "iptables", "iptables-restore", "iptables-save", "ip6tables", "ip6tables-restore"}
					case "flannel-cni-plugin":
						cmds = []string{"/flannel", "cp"}
					case "tools":
						cmds = []string{"sh", "sleep", "ping", "wget", "nslookup", "httpd", "nc", "memhog"}
					}
					for _, c := range cmds {
						p, f, err := img.lookPath(c)
						if err != nil || f.typ != tar.TypeReg || f.mode&0o111 == 0 {
							t.Errorf("command %s: %v", c, err)
							continue
						}
						if strings.HasPrefix(c, "ip") && filepath.Base(p) != "xtables-nft-multi" {
							t.Errorf("%s resolves to /%s, want xtables-nft-multi", c, p)
						}
					}
					dyn := img.checkELFs(t)
					if name == "flannel" {
						if dyn < 10 {
							t.Errorf("only %d dynamically linked files; the xtables extensions are missing?", dyn)
						}
						runIptables(t, img)
					} else if dyn != 0 {
						t.Errorf("%d dynamically linked files; want only static binaries", dyn)
					}
				})
			}
		})
	}
}
