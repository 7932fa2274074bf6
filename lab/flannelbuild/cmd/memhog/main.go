// Command memhog allocates N MiB, writes to every page so the kernel must back it with memory (or
// swap), then holds it until it is killed or -hold passes. Swap tests run it in a pod to push a node
// into swap; its lines say how far it got.
//
//	memhog [-step MIB] [-hold DURATION] MIB
//
// Output: "memhog: touched X MiB of N" after every -step MiB, then "memhog: holding N MiB".
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

const mib = 1 << 20

func main() {
	step := flag.Int("step", 64, "print progress after every `MIB` touched")
	hold := flag.Duration("hold", 0, "exit after holding the memory this long (0: hold until killed)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: memhog [-step MIB] [-hold DURATION] MIB")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	total, err := strconv.Atoi(flag.Arg(0))
	if err != nil || total < 1 || *step < 1 {
		fmt.Fprintf(os.Stderr, "memhog: want a positive number of MiB, got %q (step %d)\n", flag.Arg(0), *step)
		os.Exit(2)
	}
	pageSize := os.Getpagesize()
	// One chunk per MiB keeps each allocation small; the chunks stay referenced until exit.
	chunks := make([][]byte, 0, total)
	for i := 1; i <= total; i++ {
		c := make([]byte, mib)
		for off := 0; off < len(c); off += pageSize {
			c[off] = byte(i)
		}
		chunks = append(chunks, c)
		if i%*step == 0 || i == total {
			fmt.Printf("memhog: touched %d MiB of %d\n", i, total)
		}
	}
	fmt.Printf("memhog: holding %d MiB\n", total)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	var timeout <-chan time.Time
	if *hold > 0 {
		timeout = time.After(*hold)
	}
	select {
	case <-sig:
	case <-timeout:
	}
	// Read the memory once more so it counts as used to the end.
	sum := 0
	for _, c := range chunks {
		sum += int(c[0])
	}
	fmt.Printf("memhog: released %d MiB (%d)\n", total, sum%256)
}
