package hostfacts

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/swapboot/swapboot/templates"
)

func TestParseSwapAreas(t *testing.T) {
	got, err := parseSwapAreas(`/swapfile:file:262140:1024:-2: /var/my\040swap\0721:file:1024:0:-3: /dev/dm-0:encrypted:524284:12:-4:swapboot_swap ` +
		`/dev/zram0:zram:1048572:0:100: /dev/mapper/cr\040swap:encrypted:4092:0:5:cr\040swap`)
	want := []SwapArea{
		{Name: "/swapfile", Kind: SwapKindFile, SizeKiB: 262140, UsedKiB: 1024, Priority: -2},
		{Name: "/var/my swap:1", Kind: SwapKindFile, SizeKiB: 1024, Priority: -3},
		{Name: "/dev/dm-0", Kind: SwapKindEncrypted, SizeKiB: 524284, UsedKiB: 12, Priority: -4, Mapper: "swapboot_swap"},
		{Name: "/dev/zram0", Kind: SwapKindZram, SizeKiB: 1048572, Priority: 100},
		{Name: "/dev/mapper/cr swap", Kind: SwapKindEncrypted, SizeKiB: 4092, Priority: 5, Mapper: "cr swap"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v (%v)\nwant %+v", got, err, want)
	}
	if size, used := SwapTotals(got); size != 262140+1024+524284+1048572+4092 || used != 1036 {
		t.Errorf("totals %d %d", size, used)
	}
	if got, err := parseSwapAreas(""); err != nil || got != nil {
		t.Errorf("no areas: %v %v", got, err)
	}
}

// Malformed swap_areas values are errors naming the area, never areas guessed from them.
func TestParseSwapAreasRefusesMalformedInput(t *testing.T) {
	for _, v := range []string{
		"/swapfile:file:262140:0:-2",         // no mapper field
		"/swapfile:file:262140:0:-2::",       // one field too many
		"/swap:file:1:2:3: /x:file:1:2:3",    // the second area is short
		"/swapfile:floppy:262140:0:-2:",      // unknown kind
		"/swapfile:file:lots:0:-2:",          // size not a number
		"/swapfile:file:262140:-1:-2:",       // negative used
		"/swapfile:file:262140:0:high:",      // priority not a number
		`/swap\04:file:1:0:-2:`,              // an escape cut short
		`/swap\999:file:1:0:-2:`,             // not octal
		`/swap\777:file:1:0:-2:`,             // not a byte
		`/dev/dm-0:encrypted:1:0:-2:a\x`,     // a bad escape in the mapper
		":file:1:0:-2:",                      // no name
		"@swapboot fact swap_areas=garbage:", // not even close
	} {
		if got, err := parseSwapAreas(v); err == nil {
			t.Errorf("%q: parsed as %+v", v, got)
		}
		if _, err := ParseFacts("@swapboot fact swap_areas=" + v + "\n"); err == nil || !strings.Contains(err.Error(), "fact swap_areas") {
			t.Errorf("%q: ParseFacts error %v", v, err)
		}
	}
}

// swapAreasBlock is facts.sh's swap areas block with common.sh's functions, reading swaps and sysBlock
// instead of /proc/swaps and /sys/block when they are not "".
func swapAreasBlock(t *testing.T, swaps, sysBlock string) string {
	t.Helper()
	body, err := templates.Body("facts")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(body, "# Swap areas by kind")
	end := strings.Index(body, "fact swap_areas ")
	if start < 0 || end < start {
		t.Fatal("facts.sh has no swap areas block")
	}
	block := body[start:end] + body[end:end+strings.Index(body[end:], "\n")+1]
	for from, to := range map[string]string{"swaps_file=/proc/swaps\n": swaps, "sys_block=/sys/block\n": sysBlock} {
		if !strings.Contains(block, from) {
			t.Fatalf("the block has no %q line", from)
		}
		if to != "" {
			block = strings.Replace(block, from, from[:strings.Index(from, "=")+1]+templates.Quote(to)+"\n", 1)
		}
	}
	common, err := templates.Common()
	if err != nil {
		t.Fatal(err)
	}
	return "set -eu\n" + common + block
}

func runBlock(t *testing.T, script string) Facts {
	t.Helper()
	cmd := exec.Command("sh", "-s")
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the block: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "@swapboot fact swap_areas=") {
		t.Fatalf("no swap_areas fact:\n%s", out)
	}
	f, err := ParseFacts(string(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return f
}

// facts.sh's block on a made-up /proc/swaps and /sys/block: every kind, a file name with a space and a
// colon, dm-crypt and LVM devices named /dev/dm-N and a dm-crypt one named by its /dev/mapper path.
func TestFactsSwapAreasBlockTellsEachKind(t *testing.T) {
	dir := t.TempDir()
	write := func(path, content string) {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"+
		"/swapfile                               file\t\t262140\t\t1024\t\t-2\n"+
		`/var/my\040swap:1                       file		1024		0		-3`+"\n"+
		"/dev/zram0                              partition\t1048572\t\t12288\t\t100\n"+
		"/dev/dm-0                               partition\t524284\t\t0\t\t-4\n"+
		"/dev/dm-1                               partition\t2097148\t\t0\t\t-5\n"+
		`/dev/mapper/cr\040swap                  partition	4092		0		-6`+"\n"+
		"/dev/vdb                                partition\t1048572\t\t0\t\t-7\n")
	write("block/dm-0/dm/name", "swapboot_swap\n")
	write("block/dm-0/dm/uuid", "CRYPT-PLAIN-swapboot_swap\n")
	write("block/dm-1/dm/name", "vg0-swap\n")
	write("block/dm-1/dm/uuid", "LVM-Xy2Xy2Xy2\n")
	write("block/dm-2/dm/name", "cr swap\n")
	write("block/dm-2/dm/uuid", "CRYPT-LUKS2-0123-cr swap\n")
	write("block/vdb/size", "2097152\n")

	f := runBlock(t, swapAreasBlock(t, filepath.Join(dir, "swaps"), filepath.Join(dir, "block")))
	want := []SwapArea{
		{Name: "/swapfile", Kind: SwapKindFile, SizeKiB: 262140, UsedKiB: 1024, Priority: -2},
		{Name: "/var/my swap:1", Kind: SwapKindFile, SizeKiB: 1024, Priority: -3},
		{Name: "/dev/zram0", Kind: SwapKindZram, SizeKiB: 1048572, UsedKiB: 12288, Priority: 100},
		{Name: "/dev/dm-0", Kind: SwapKindEncrypted, SizeKiB: 524284, Priority: -4, Mapper: "swapboot_swap"},
		{Name: "/dev/dm-1", Kind: SwapKindDevice, SizeKiB: 2097148, Priority: -5, Mapper: "vg0-swap"},
		{Name: "/dev/mapper/cr swap", Kind: SwapKindEncrypted, SizeKiB: 4092, Priority: -6, Mapper: "cr swap"},
		{Name: "/dev/vdb", Kind: SwapKindDevice, SizeKiB: 1048572, Priority: -7},
	}
	if !reflect.DeepEqual(f.SwapAreas, want) {
		t.Errorf("got  %+v\nwant %+v", f.SwapAreas, want)
	}

	write("swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n")
	if f := runBlock(t, swapAreasBlock(t, filepath.Join(dir, "swaps"), filepath.Join(dir, "block"))); f.SwapAreas != nil {
		t.Errorf("no swap: %+v", f.SwapAreas)
	}
}

// The block as facts.sh runs it, on this machine's own /proc/swaps and /sys/block (it only reads them),
// agrees with /proc/swaps read here: the same areas in the same order, files as files, block devices
// as one of the device kinds. Other work on the machine may turn swap on or off meanwhile: a read that
// differs before and after the block is tried again.
func TestFactsSwapAreasBlockOnThisMachine(t *testing.T) {
	script := swapAreasBlock(t, "", "")
	for try := 0; ; try++ {
		before := procSwaps(t)
		f := runBlock(t, script)
		if after := procSwaps(t); !reflect.DeepEqual(before, after) {
			if try < 5 {
				continue
			}
			t.Skip("/proc/swaps keeps changing on this machine")
		}
		t.Logf("%d swap areas on this machine", len(before))
		if len(f.SwapAreas) != len(before) {
			t.Fatalf("the block reports %d areas, /proc/swaps has %d:\n%+v\n%q", len(f.SwapAreas), len(before), f.SwapAreas, before)
		}
		for i, a := range f.SwapAreas {
			p := before[i]
			name, err := unescapeOctal(p[0])
			if err != nil {
				t.Fatal(err)
			}
			size, _ := strconv.ParseInt(p[2], 10, 64)
			prio, _ := strconv.Atoi(p[4])
			fileKind := (p[1] == "file") == (a.Kind == SwapKindFile)
			if a.Name != name || a.SizeKiB != size || a.Priority != prio || !fileKind {
				t.Errorf("area %d: %+v, /proc/swaps says %q", i, a, p)
			}
		}
		return
	}
}

// procSwaps is /proc/swaps' lines after the header, as fields, without the used column (it moves).
func procSwaps(t *testing.T) [][]string {
	t.Helper()
	data, err := os.ReadFile("/proc/swaps")
	if err != nil {
		t.Skip("no /proc/swaps here")
	}
	var areas [][]string
	for _, line := range strings.Split(string(data), "\n")[1:] {
		if f := strings.Fields(line); len(f) >= 5 {
			f[3] = ""
			areas = append(areas, f)
		}
	}
	return areas
}
