package hostfacts

import (
	"strings"
	"testing"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

func TestParseAreaFacts(t *testing.T) {
	out := strings.Join([]string{
		"@swapboot fact swap_area=/dev/dm-0",
		"@swapboot fact swap_crypttab=/dev/vdc /dev/urandom swap,cipher=aes-xts-plain64,size=512",
		"@swapboot fact swap_crypttab_entries=1",
		"@swapboot fact swap_device=/dev/vdc",
		"@swapboot fact swap_device_kib=2097152",
		"@swapboot fact swap_device_fstype=",
		"@swapboot fact swap_device_pttype=gpt",
		"@swapboot fact swap_device_mounts=/data /srv",
		"@swapboot fact swap_device_holders=swapboot_swap md0",
		"@swapboot fact dm_crypt=yes",
		"@swapboot fact systemd_cryptsetup=/usr/lib/systemd/systemd-cryptsetup",
		"@swapboot fact zram=no",
		"@swapboot fact zramctl=yes",
		"@swapboot fact swapboot_areas=encrypted zram",
	}, "\n")
	f, err := ParseFacts(out)
	if err != nil {
		t.Fatal(err)
	}
	a := f.Area
	if a.Name != "/dev/dm-0" || a.CrypttabEntries != 1 || a.Crypttab != "/dev/vdc /dev/urandom swap,cipher=aes-xts-plain64,size=512" ||
		a.Device != "/dev/vdc" || !a.DeviceKnown || a.DeviceKiB != 2097152 || a.DevicePTType != "gpt" ||
		strings.Join(a.DeviceMounts, ",") != "/data,/srv" || strings.Join(a.DeviceHolders, ",") != "swapboot_swap,md0" ||
		!a.DMCrypt || a.SystemdCryptsetup == "" || a.Zram || !a.Zramctl {
		t.Errorf("area facts: %+v", a)
	}
	if strings.Join(f.SwapbootAreas, ",") != "encrypted,zram" || !f.SwapbootMadeAny() {
		t.Errorf("swapboot areas: %v", f.SwapbootAreas)
	}
	if g, _ := ParseFacts("@swapboot fact swap_device="); !g.Area.DeviceKnown || g.Area.Device != "" {
		t.Errorf("a device that is not a block device: %+v", g.Area)
	}
	if g, _ := ParseFacts(""); g.Area.DeviceKnown || g.SwapbootMadeAny() {
		t.Errorf("no facts: %+v", g)
	}
}

// SwapAsConfigured per kind: a device at any size, a file or zram at the configured size, an encrypted
// area only with swapboot's one crypttab line for the configured source.
func TestSwapAsConfiguredKinds(t *testing.T) {
	device := cluster.Swap{Type: cluster.SwapTypeDevice, Device: "/dev/vdc", SizeBytes: 1 << 30}
	zram := cluster.Swap{Type: cluster.SwapTypeZram, SizeBytes: 1 << 30}
	encDevice := device
	encDevice.Encrypt = true
	encFile := cluster.Swap{Type: cluster.SwapTypeFile, Path: "/swapfile", SizeBytes: 1 << 30, Encrypt: true}
	good := func(kib int64, crypttab string) Facts {
		return Facts{SwapActiveKiB: kib, FstabEntries: 1, Area: AreaFacts{Crypttab: crypttab, CrypttabEntries: 1}}
	}
	cases := []struct {
		name string
		want cluster.Swap
		f    Facts
		ok   bool
	}{
		{"device of another size", device, good(5<<20, ""), true},
		{"device not in fstab", device, Facts{SwapActiveKiB: 5 << 20}, false},
		{"device not active", device, Facts{FstabEntries: 1}, false},
		{"zram at its size", zram, good(1<<20-4, ""), true},
		{"zram of another size", zram, good(512<<10-4, ""), false},
		{"encrypted device", encDevice, good(2<<20, "/dev/vdc /dev/urandom swap,cipher=aes-xts-plain64,size=512"), true},
		{"encrypted device, other source", encDevice, good(2<<20, "/dev/vdb /dev/urandom swap,cipher=aes-xts-plain64,size=512"), false},
		{"encrypted device, other options", encDevice, good(2<<20, "/dev/vdc /dev/urandom swap"), false},
		{"encrypted file", encFile, good(1<<20-4, "/swapfile /dev/urandom swap,cipher=aes-xts-plain64,size=512"), true},
		{"encrypted file of another size", encFile, good(2<<20, "/swapfile /dev/urandom swap,cipher=aes-xts-plain64,size=512"), false},
	}
	for _, tc := range cases {
		if got := SwapAsConfigured(tc.want, tc.f); got != tc.ok {
			t.Errorf("%s: SwapAsConfigured = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

func TestAreaProblems(t *testing.T) {
	device := cluster.Swap{Type: cluster.SwapTypeDevice, Device: "/dev/vdc"}
	free := AreaFacts{Device: "/dev/vdc", DeviceKnown: true, DeviceKiB: 2 << 20}
	with := func(mod func(*AreaFacts)) Facts {
		a := free
		mod(&a)
		return Facts{Systemd: true, Area: a}
	}
	cases := []struct {
		name  string
		swap  cluster.Swap
		f     Facts
		words string // "" means no problem
	}{
		{"free device", device, with(func(*AreaFacts) {}), ""},
		{"old swap signature", device, with(func(a *AreaFacts) { a.DeviceFSType = "swap" }), ""},
		{"our own mapping holds it", device, with(func(a *AreaFacts) { a.DeviceHolders = []string{cluster.SwapCryptName} }), ""},
		{"not a block device", device, with(func(a *AreaFacts) { a.Device = "" }), "not a block device"},
		{"file system", device, with(func(a *AreaFacts) { a.DeviceFSType = "ext4" }), "holds a ext4 file system"},
		{"partition table", device, with(func(a *AreaFacts) { a.DevicePTType = "gpt" }), "partition table (gpt)"},
		{"mounted", device, with(func(a *AreaFacts) { a.DeviceMounts = []string{"/data"} }), "mounted at /data"},
		{"held by lvm", device, with(func(a *AreaFacts) { a.DeviceHolders = []string{"vg-data"} }), "in use by vg-data"},
		{"too small", device, with(func(a *AreaFacts) { a.DeviceKiB = 32 << 10 }), "less than swap's minimum"},
		{"encrypt without systemd", cluster.Swap{Type: cluster.SwapTypeFile, Encrypt: true}, Facts{Area: AreaFacts{DMCrypt: true, SystemdCryptsetup: "/x"}}, "needs systemd"},
		{"encrypt without dm_crypt", cluster.Swap{Type: cluster.SwapTypeFile, Encrypt: true}, Facts{Systemd: true, Area: AreaFacts{SystemdCryptsetup: "/x"}}, "dm_crypt"},
		{"encrypt without systemd-cryptsetup", cluster.Swap{Type: cluster.SwapTypeFile, Encrypt: true}, Facts{Systemd: true, Area: AreaFacts{DMCrypt: true}}, "systemd-cryptsetup is missing"},
		{"encrypt ready", cluster.Swap{Type: cluster.SwapTypeFile, Encrypt: true}, Facts{Systemd: true, Area: AreaFacts{DMCrypt: true, SystemdCryptsetup: "/x"}}, ""},
		{"zram without module", cluster.Swap{Type: cluster.SwapTypeZram}, Facts{Systemd: true, Area: AreaFacts{Zramctl: true}}, "zram kernel module"},
		{"zram without zramctl", cluster.Swap{Type: cluster.SwapTypeZram}, Facts{Systemd: true, Area: AreaFacts{Zram: true}}, "zramctl is missing"},
		{"zram ready", cluster.Swap{Type: cluster.SwapTypeZram}, Facts{Systemd: true, Area: AreaFacts{Zram: true, Zramctl: true}}, ""},
	}
	for _, tc := range cases {
		got := areaProblems(tc.swap, tc.f)
		switch {
		case tc.words == "" && len(got) > 0:
			t.Errorf("%s: unexpected problems %+v", tc.name, got)
		case tc.words != "" && (len(got) != 1 || !strings.Contains(got[0].Problem, tc.words) || got[0].Fix == ""):
			t.Errorf("%s: got %+v, want one problem with %q", tc.name, got, tc.words)
		}
	}
}

func TestDescribeArea(t *testing.T) {
	for want, s := range map[string]cluster.Swap{
		"swap file /swapfile (1024 MiB)":           {Type: cluster.SwapTypeFile, Path: "/swapfile", SizeBytes: 1 << 30},
		"encrypted swap file /swapfile (1024 MiB)": {Type: cluster.SwapTypeFile, Path: "/swapfile", SizeBytes: 1 << 30, Encrypt: true},
		"swap device /dev/vdc":                     {Type: cluster.SwapTypeDevice, Device: "/dev/vdc", SizeBytes: 1 << 30},
		"encrypted swap on /dev/vdc":               {Type: cluster.SwapTypeDevice, Device: "/dev/vdc", Encrypt: true},
		"zram swap (2048 MiB)":                     {Type: cluster.SwapTypeZram, SizeBytes: 2 << 30, Path: "/swapfile"},
	} {
		if got := DescribeArea(s); got != want {
			t.Errorf("DescribeArea(%+v) = %q, want %q", s, got, want)
		}
	}
}
