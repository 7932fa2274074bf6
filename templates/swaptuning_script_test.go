package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// swap-tuning.sh with a fake sysctl (values in files of dir) and systemctl (calls logged): the earlier
// values are kept once and restored when the settings are removed; the drop-in is written, applied and
// removed with system.slice's swap given back; a second run changes nothing.
func TestSwapTuningScript(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("vm.swappiness", "60", 0o644)
	write("vm.watermark_scale_factor", "10", 0o644)
	write("sysctl", `#!/bin/sh
d=$(dirname "$0")
case "$1" in
-n) cat "$d/$2" ;;
-q) [ "$2" = -p ] || exit 2
	sed -n 's/^\([a-z_.]*\) = \(.*\)/\1 \2/p' "$3" | while read -r k v; do printf '%s' "$v" > "$d/$k"; done ;;
*) exit 2 ;;
esac
`, 0o755)
	write("systemctl", "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/systemctl.calls\"\n", 0o755)
	env := append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	root := t.TempDir()
	call := SwapTuning{SysctlFile: filepath.Join(root, "sysctl.d/90-swapboot-swap.conf"), SysctlOrig: filepath.Join(root, "sysctl.orig"),
		SysctlContent: "vm.swappiness = 30\nvm.watermark_scale_factor = 200\n",
		SliceDropIn:   filepath.Join(root, "system.slice.d/90-swapboot-noswap.conf"), SliceContent: "[Slice]\nMemorySwapMax=0\n"}
	value := func(k string) string { b, _ := os.ReadFile(filepath.Join(dir, k)); return string(b) }
	calls := func() string { b, _ := os.ReadFile(filepath.Join(dir, "systemctl.calls")); return string(b) }

	out, err := runScript(t, call, env)
	if err != nil || !strings.Contains(out, "@swapboot changed swap-tuning") {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if value("vm.swappiness") != "30" || value("vm.watermark_scale_factor") != "200" {
		t.Errorf("values in effect: swappiness %s, watermark_scale_factor %s", value("vm.swappiness"), value("vm.watermark_scale_factor"))
	}
	if orig, _ := os.ReadFile(call.SysctlOrig); string(orig) != "vm.swappiness = 60\nvm.watermark_scale_factor = 10\n" {
		t.Errorf("earlier values kept as %q", orig)
	}
	if got := calls(); got != "daemon-reload\nset-property --runtime system.slice MemorySwapMax=0\n" {
		t.Errorf("systemctl calls %q", got)
	}
	if out, err := runScript(t, call, env); err != nil || !strings.Contains(out, "@swapboot unchanged swap-tuning") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	if orig, _ := os.ReadFile(call.SysctlOrig); !strings.Contains(string(orig), "vm.swappiness = 60") {
		t.Errorf("a second run overwrote the earlier values: %q", orig)
	}

	call.SysctlContent, call.SliceContent = "", ""
	if out, err := runScript(t, call, env); err != nil || !strings.Contains(out, "(removed)") {
		t.Fatalf("remove: %v\n%s", err, out)
	}
	if value("vm.swappiness") != "60" || value("vm.watermark_scale_factor") != "10" {
		t.Errorf("not restored: swappiness %s, watermark_scale_factor %s", value("vm.swappiness"), value("vm.watermark_scale_factor"))
	}
	for _, p := range []string{call.SysctlFile, call.SysctlOrig, call.SliceDropIn, filepath.Dir(call.SliceDropIn)} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
	if !strings.HasSuffix(calls(), "daemon-reload\nset-property --runtime system.slice MemorySwapMax=infinity\n") {
		t.Errorf("systemctl calls %q", calls())
	}
}
