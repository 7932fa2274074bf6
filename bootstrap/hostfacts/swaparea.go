package hostfacts

import (
	"fmt"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/cluster"
)

// AreaFacts are facts.sh's answers about the configured swap area beyond a plain file's.
type AreaFacts struct {
	// Name is the area's name in /proc/swaps once set up ("" when it cannot be known yet: an encrypted
	// area whose mapping is not open, zram before its unit ran).
	Name string
	// Crypttab is swapboot's /etc/crypttab line without its name (source, key, options); CrypttabEntries
	// counts the lines of that name.
	Crypttab        string
	CrypttabEntries int
	// Device is the swap device's real node ("" with DeviceKnown: it is not a block device), its size,
	// the file system and partition table blkid finds on it, the mount points of it and its partitions,
	// and what holds them (dm names, md devices).
	Device        string
	DeviceKnown   bool
	DeviceKiB     int64
	DeviceFSType  string
	DevicePTType  string
	DeviceMounts  []string
	DeviceHolders []string
	// DMCrypt: the dm_crypt module is loaded, built in or installed; SystemdCryptsetup is the path of
	// systemd-cryptsetup ("" when missing).
	DMCrypt           bool
	SystemdCryptsetup string
	// Zram: the zram module is available; Zramctl: util-linux's zramctl is installed.
	Zram    bool
	Zramctl bool
}

// Crypttab options of an encrypted swap area, as the Kubernetes swap tutorial sets it up: dm-crypt plain
// mode, AES-XTS with a 512-bit key (AES-256) read from /dev/urandom at every boot, formatted as swap.
const (
	CryptKeyFile = "/dev/urandom"
	CryptOptions = "swap,cipher=aes-xts-plain64,size=512"
)

// CryptSource is what the dm-crypt mapping of an encrypted area sits on: the device, or the swap file.
func CryptSource(s cluster.Swap) string {
	if s.Type == cluster.SwapTypeDevice {
		return s.Device
	}
	return s.Path
}

// CrypttabFields is swapboot's /etc/crypttab line for s without its name, as facts.sh reports it.
func CrypttabFields(s cluster.Swap) string {
	return CryptSource(s) + " " + CryptKeyFile + " " + CryptOptions
}

// Swapboot's own areas (SwapbootAreas) besides its swap file.
const (
	MadeDevice    = "device"
	MadeEncrypted = "encrypted"
	MadeZram      = "zram"
)

// SwapbootMadeAny says whether swapboot recorded any swap area on the host.
func (f Facts) SwapbootMadeAny() bool { return f.SwapbootSwapfile != "" || len(f.SwapbootAreas) > 0 }

// areaProblems are the reasons host facts f cannot take swap area s (not yet set up as configured): a
// swap file's file system and free space, what the device holds, and what encryption and zram need from
// the host. Problem and Fix only.
func areaProblems(s cluster.Swap, f Facts) []HostProblem {
	var out []HostProblem
	add := func(problem, fix string) { out = append(out, HostProblem{Problem: problem, Fix: fix}) }
	if (s.Type == "" || s.Type == cluster.SwapTypeFile) && f.SwapActiveKiB == 0 {
		if noSwapFS[f.SwapFSType] {
			add(fmt.Sprintf("%s is on %s, which cannot hold a swap file", s.Path, f.SwapFSType), "choose a swap.path on ext4, xfs or btrfs")
		}
		need := KiB(s.SizeBytes)
		if f.SwapFileBytes < 0 && f.SwapDirFreeKiB > 0 && f.SwapDirFreeKiB < need+need/20 {
			add(fmt.Sprintf("not enough space for a %d MiB swap file at %s: %d MiB free", MiB(s.SizeBytes), s.Path, f.SwapDirFreeKiB>>10),
				"free space, or lower swap.size (or this host's own swap.size)")
		}
	}
	if s.Type == cluster.SwapTypeDevice && f.Area.DeviceKnown {
		a := f.Area
		switch {
		case a.Device == "":
			add(s.Device+" is not a block device on this host", "give the disk or partition for swap (lsblk lists them), or this host's own swap:")
		case a.DevicePTType != "":
			add(fmt.Sprintf("%s holds a partition table (%s)", s.Device, a.DevicePTType), "give one of its partitions, or wipe the disk (wipefs -a) if nothing on it is needed")
		case a.DeviceFSType != "" && a.DeviceFSType != "swap":
			add(fmt.Sprintf("%s holds a %s file system", s.Device, a.DeviceFSType), "give an empty disk or partition; swapboot never formats one that holds data (wipefs -a clears it if nothing on it is needed)")
		case len(a.DeviceMounts) > 0:
			add(fmt.Sprintf("%s is mounted at %s", s.Device, strings.Join(a.DeviceMounts, ", ")), "unmount it and remove it from /etc/fstab, or give another device")
		case otherHolders(a.DeviceHolders) != "":
			add(fmt.Sprintf("%s is in use by %s", s.Device, otherHolders(a.DeviceHolders)), "give a device nothing else uses (lsblk shows what sits on it)")
		case MiB(a.DeviceKiB<<10) < cluster.MinSwapMiB:
			add(fmt.Sprintf("%s has %d MiB, less than swap's minimum of %d MiB", s.Device, MiB(a.DeviceKiB<<10), cluster.MinSwapMiB), "give a larger device")
		}
	}
	if s.Encrypt {
		switch {
		case !f.Systemd:
			add("encrypted swap needs systemd (it is set up at boot from /etc/crypttab)", "use encrypt: false on this host")
		case !f.Area.DMCrypt:
			add("the dm_crypt kernel module is not available", "install the kernel's modules package, or use encrypt: false on this host")
		case f.Area.SystemdCryptsetup == "":
			add("systemd-cryptsetup is missing (it opens /etc/crypttab's swap at boot)", "install the systemd-cryptsetup package (a part of systemd on older releases), or use encrypt: false")
		}
	}
	if s.Type == cluster.SwapTypeZram {
		switch {
		case !f.Systemd:
			add("zram swap needs systemd (a unit sets it up at boot)", "use type: file on this host")
		case !f.Area.Zram:
			add("the zram kernel module is not available", "install the kernel's modules package, or use type: file on this host")
		case !f.Area.Zramctl:
			add("zramctl is missing", "install util-linux")
		}
	}
	return out
}

// otherHolders lists the holders of a device that are not swapboot's own dm-crypt mapping.
func otherHolders(holders []string) string {
	var other []string
	for _, h := range holders {
		if h != cluster.SwapCryptName {
			other = append(other, h)
		}
	}
	return strings.Join(other, ", ")
}

// DescribeArea names the swap area s asks for, for people: "swap file /swapfile (1024 MiB)".
func DescribeArea(s cluster.Swap) string {
	switch {
	case s.Encrypt && s.Type == cluster.SwapTypeDevice:
		return "encrypted swap on " + s.Device
	case s.Encrypt:
		return fmt.Sprintf("encrypted swap file %s (%d MiB)", s.Path, MiB(s.SizeBytes))
	case s.Type == cluster.SwapTypeDevice:
		return "swap device " + s.Device
	case s.Type == cluster.SwapTypeZram:
		return fmt.Sprintf("zram swap (%d MiB)", MiB(s.SizeBytes))
	}
	return fmt.Sprintf("swap file %s (%d MiB)", s.Path, MiB(s.SizeBytes))
}
