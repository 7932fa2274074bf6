package hostfacts

import (
	"fmt"
	"strconv"
	"strings"
)

// SwapKind is what backs an active swap area.
type SwapKind string

const (
	SwapKindFile      SwapKind = "file"
	SwapKindDevice    SwapKind = "device"    // a disk or partition (or a device-mapper device that is not dm-crypt)
	SwapKindZram      SwapKind = "zram"      // a compressed RAM device, /dev/zram*
	SwapKindEncrypted SwapKind = "encrypted" // a dm-crypt device (device-mapper uuid CRYPT-...)
)

// SwapArea is one line of the host's /proc/swaps, with its kind (facts.sh's swap_areas).
type SwapArea struct {
	Name     string   `json:"name"` // as /proc/swaps names it, unescaped (/dev/dm-0, "/swap file")
	Kind     SwapKind `json:"kind"`
	SizeKiB  int64    `json:"sizeKiB"`
	UsedKiB  int64    `json:"usedKiB"`
	Priority int      `json:"priority"`
	// Mapper is a device-mapper device's name (e.g. swapboot_swap for /dev/dm-0); "" otherwise.
	Mapper string `json:"mapper,omitempty"`
}

// parseSwapAreas reads swap_areas: "name:kind:sizeKiB:usedKiB:priority:mapper" per area, space separated,
// names and mapper octal-escaped (\040 a space, \072 a colon, as /proc/swaps escapes).
func parseSwapAreas(v string) ([]SwapArea, error) {
	var areas []SwapArea
	for _, field := range strings.Fields(v) {
		parts := strings.Split(field, ":")
		if len(parts) != 6 {
			return nil, fmt.Errorf("%q: want name:kind:sizeKiB:usedKiB:priority:mapper", field)
		}
		var a SwapArea
		var err error
		if a.Name, err = unescapeOctal(parts[0]); err != nil || a.Name == "" {
			return nil, fmt.Errorf("%q: bad name (%v)", field, err)
		}
		switch a.Kind = SwapKind(parts[1]); a.Kind {
		case SwapKindFile, SwapKindDevice, SwapKindZram, SwapKindEncrypted:
		default:
			return nil, fmt.Errorf("%q: unknown kind %q", field, parts[1])
		}
		size, err1 := strconv.ParseInt(parts[2], 10, 64)
		used, err2 := strconv.ParseInt(parts[3], 10, 64)
		prio, err3 := strconv.Atoi(parts[4])
		if err1 != nil || err2 != nil || err3 != nil || size < 0 || used < 0 {
			return nil, fmt.Errorf("%q: size, used and priority must be numbers", field)
		}
		a.SizeKiB, a.UsedKiB, a.Priority = size, used, prio
		if a.Mapper, err = unescapeOctal(parts[5]); err != nil {
			return nil, fmt.Errorf("%q: bad mapper name (%v)", field, err)
		}
		areas = append(areas, a)
	}
	return areas, nil
}

// unescapeOctal undoes the kernel's seq_file escapes (a backslash and three octal digits); a backslash
// that starts no such escape is an error, since the kernel escapes backslashes too.
func unescapeOctal(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) {
			return "", fmt.Errorf("a backslash without three octal digits")
		}
		n, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
		if err != nil {
			return "", fmt.Errorf("bad escape %q", s[i:i+4])
		}
		b.WriteByte(byte(n))
		i += 3
	}
	return b.String(), nil
}

// SwapTotals sums the areas: their size and what is used of them, in KiB.
func SwapTotals(areas []SwapArea) (sizeKiB, usedKiB int64) {
	for _, a := range areas {
		sizeKiB += a.SizeKiB
		usedKiB += a.UsedKiB
	}
	return sizeKiB, usedKiB
}
