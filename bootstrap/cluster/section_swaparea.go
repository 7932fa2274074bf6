// The swap area fields (size, path, type, device, encrypt): the same in swap: and in a host's swap:.

package cluster

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// cfgSwapArea is what one swap: mapping (the cluster's or a host's) says about the swap area.
type cfgSwapArea struct {
	size                 int64
	sizeNode             *yaml.Node
	path, typ, device    cfgStr
	encrypt              *bool
	encryptNode, mapping *yaml.Node
}

// parseSwapAreaKey reads key into a when it is one of the area's fields (handled says so).
func (p *cfgParser) parseSwapAreaKey(a *cfgSwapArea, key, field string, v *yaml.Node) (handled bool, err *ConfigError) {
	switch key {
	case "encrypt":
		b, set, err := p.boolean(v, field)
		if err == nil && set {
			a.encrypt, a.encryptNode = &b, v
		}
		return true, err
	case "size":
		if err := p.unitlessSize(v, field); err != nil {
			return true, err
		}
	case "path", "type", "device":
	default:
		return false, nil
	}
	s, err := p.str(v, field)
	if err != nil || s.node == nil {
		return true, err
	}
	switch key {
	case "size":
		size, prob, fix := cfgCheckSize(s.val)
		a.size, a.sizeNode = size, v
		return true, p.check(v, field, prob, fix)
	case "path":
		a.path = s
		return true, p.at(v, field).check(cfgCheckSwapPath(s.val))
	case "type":
		a.typ = s
		return true, p.at(v, field).check(cfgCheckSwapType(s.val))
	default:
		a.device = s
		return true, p.at(v, field).check(cfgCheckSwapDevice(s.val))
	}
}

// checkSwapArea refuses fields of one mapping that contradict each other (prefix: swap or workers[1].swap).
func (p *cfgParser) checkSwapArea(a *cfgSwapArea, prefix string) *ConfigError {
	typ := SwapType(a.typ.val)
	if typ == "" && a.device.node != nil {
		typ = SwapTypeDevice
	}
	var first *ConfigError
	if a.device.node != nil && typ != SwapTypeDevice {
		first = cfgFirst(first, p.fail(a.device.node, prefix+".device", fmt.Sprintf("is for type: device, not type: %s", typ),
			"remove device:, or write type: device (a whole disk or partition given to swap)"))
	}
	if a.typ.node != nil && typ == SwapTypeDevice && a.device.node == nil && prefix == "swap" {
		first = cfgFirst(first, p.fail(a.typ.node, prefix+".type", "type: device needs device:", "add device: /dev/disk/by-id/... (the disk or partition to give to swap)"))
	}
	if a.sizeNode != nil && typ == SwapTypeDevice {
		first = cfgFirst(first, p.fail(a.sizeNode, prefix+".size", "a swap device's size is the device's own", "remove size: (it is for swap files and zram)"))
	}
	if a.path.node != nil && (typ == SwapTypeDevice || typ == SwapTypeZram) {
		first = cfgFirst(first, p.fail(a.path.node, prefix+".path", fmt.Sprintf("is the swap file's; type: %s has none", typ), "remove path:, or write type: file"))
	}
	if a.encrypt != nil && *a.encrypt && typ == SwapTypeZram {
		first = cfgFirst(first, p.fail(a.encryptNode, prefix+".encrypt", "zram cannot be encrypted (it is memory: it never reaches a disk)", "remove encrypt: true, or use type: file or device"))
	}
	return first
}

// checkHostSwap refuses a host whose swap, merged from the cluster's and its own, is not whole: the
// single mappings were checked as they were read.
func (p *cfgParser) checkHostSwap(c *Cluster, h Host, field string) *ConfigError {
	s, on, _ := c.SwapOf(h)
	if !on || h.Swap == nil {
		return nil
	}
	n := &yaml.Node{Line: h.Swap.Line}
	switch {
	case s.Type == SwapTypeDevice && s.Device == "":
		return p.fail(n, field, "gets type: device without a device", "add device: /dev/... to this host's swap: or to swap:")
	case s.Type == SwapTypeZram && s.Encrypt:
		return p.fail(n, field, "gets type: zram with swap.encrypt: true (zram cannot be encrypted)", "add encrypt: false to this host's swap:")
	}
	return nil
}

func cfgCheckSwapType(s string) (string, string) {
	valid := []string{string(SwapTypeFile), string(SwapTypeDevice), string(SwapTypeZram)}
	if cfgContains(valid, s) {
		return "", ""
	}
	if alt := cfgSuggest(s, valid); alt != "" {
		return fmt.Sprintf("unknown type %s", cfgShow(s)), fmt.Sprintf("did you mean %s? (file, device or zram)", alt)
	}
	return fmt.Sprintf("unknown type %s", cfgShow(s)), "use file (a swap file at path:), device (a disk or partition at device:) or zram (compressed memory of size:)"
}

var cfgDevicePathRE = regexp.MustCompile(`^/dev/[A-Za-z0-9._:+@=/-]+$`)

// cfgCheckSwapDevice accepts a clean path under /dev (a disk, a partition or one of their /dev/disk/by-*
// names); swapboot's own dm-crypt mapping is the result of encrypt, not a device to give.
func cfgCheckSwapDevice(s string) (string, string) {
	const fix = "give the disk or partition to use for swap, e.g. /dev/vdb or /dev/disk/by-id/... (stable across reboots)"
	switch {
	case s == "":
		return "is empty", fix
	case !strings.HasPrefix(s, "/dev/"):
		return fmt.Sprintf("%s is not under /dev", cfgShow(s)), fix + "; for a swap file write path: instead"
	case len(s) > 256 || !cfgDevicePathRE.MatchString(s):
		return fmt.Sprintf("%s is not a device path", cfgShow(s)), fix
	case path.Clean(s) != s:
		return fmt.Sprintf("%s is not a clean path", cfgShow(s)), "write it as " + path.Clean(s)
	case strings.HasPrefix(s, "/dev/mapper/"+SwapCryptName) || strings.HasPrefix(s, "/dev/zram"):
		return fmt.Sprintf("%s is made by swapboot itself", cfgShow(s)), "give the underlying disk or partition with encrypt: true, or write type: zram"
	case strings.HasPrefix(s, "/dev/shm/") || strings.HasPrefix(s, "/dev/pts/") || strings.HasPrefix(s, "/dev/mqueue/"):
		return fmt.Sprintf("%s is not a block device", cfgShow(s)), fix
	}
	return "", ""
}
