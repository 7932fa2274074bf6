package cmdline

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func testApp() *cli.App {
	return &cli.App{
		Name:  "swapboot",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "verbose"}},
		Commands: []*cli.Command{
			{Name: "up", Flags: []cli.Flag{
				&cli.BoolFlag{Name: "dry-run"},
				&cli.IntFlag{Name: "parallel", Value: 10},
				&cli.DurationFlag{Name: "dial-timeout"},
				&cli.StringSliceFlag{Name: "exclude"},
			}},
			{Name: "status", Flags: []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}}}},
			{Name: "kubeconfig", Flags: []cli.Flag{&cli.StringFlag{Name: "file"}}},
			{Name: "swap", Subcommands: []*cli.Command{
				{Name: "enable", Flags: []cli.Flag{&cli.StringSliceFlag{Name: "node"}}},
				{Name: "disable", Flags: []cli.Flag{&cli.BoolFlag{Name: "yes"}}},
			}},
		},
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"up c.yaml --dry-run", "up --dry-run -- c.yaml"},
		{"up --dry-run c.yaml", "up --dry-run -- c.yaml"},
		{"up c.yaml --parallel 3 --verbose", "--verbose up --parallel 3 -- c.yaml"},
		{"--verbose up --dry-run c.yaml", "--verbose up --dry-run -- c.yaml"},
		{"up c.yaml --parallel=3", "up --parallel=3 -- c.yaml"},
		{"up --parallel -3 c.yaml", "up --parallel -3 -- c.yaml"}, // the value of a value flag, even with a dash
		{"up -- --odd.yaml", "up -- --odd.yaml"},
		{"up c.yaml -- --dry-run", "up -- c.yaml --dry-run"},
		{"up - --dry-run", "up --dry-run -- -"},
		{"status c.yaml -o json", "status -o json -- c.yaml"},
		{"swap enable c.yaml --node a,b --node c", "swap enable --node a,b --node c -- c.yaml"},
		{"swap disable c.yaml --yes --verbose", "--verbose swap disable --yes -- c.yaml"},
		{"up c.yaml --help", "up --help"},
		{"up --exclude w1 c.yaml --exclude=w2", "up --exclude w1 --exclude=w2 -- c.yaml"},
		{"help up", "help up"},
		{"swap help enable", "swap help enable"},
		{"--help", "--help"},
		{"up", "up"},
	} {
		got, err := Normalize(testApp(), append([]string{"swapboot"}, strings.Fields(tc.in)...), nil)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if want := append([]string{"swapboot"}, strings.Fields(tc.want)...); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.in, got, want)
		}
	}
}

func TestNormalizeRefuses(t *testing.T) {
	renamed := []Renamed{{Command: "kubeconfig", Flag: "o", Fix: "write the file with --file FILE"}}
	for _, tc := range []struct{ in, want string }{
		{"stauts c.yaml", `unknown command "stauts"; did you mean swapboot status?`},
		{"swap enabel c.yaml", `swapboot swap has no command "enabel"; did you mean swapboot swap enable?`},
		{"up c.yaml --paralel 3", "swapboot up has no flag --paralel; did you mean --parallel?"},
		{"up c.yaml --dry-rn", "did you mean --dry-run?"},
		{"up c.yaml --parallel", "--parallel needs a value; write a whole number such as --parallel 10"},
		{"up c.yaml --parallel ten", `--parallel "ten" is not a valid value; write a whole number`},
		{"up c.yaml --dial-timeout 10", `--dial-timeout "10" is not a valid value; write a duration such as --dial-timeout 10s`},
		{"up c.yaml --dry-run=maybe", `--dry-run "maybe" is not a valid value`},
		{"kubeconfig c.yaml -o f", "swapboot kubeconfig no longer takes -o; write the file with --file FILE"},
		{"--dry-run up c.yaml", "unknown flag --dry-run before the command"},
		{"c.yaml", `unknown command "c.yaml"`},
		{"up c.yaml --zzzzzz", "swapboot up has no flag --zzzzzz; see swapboot up --help"},
	} {
		_, err := Normalize(testApp(), append([]string{"swapboot"}, strings.Fields(tc.in)...), renamed)
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("%s: got %v, want a *UsageError", tc.in, err)
			continue
		}
		if ue.ExitCode() != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %q (exit %d)\nwant %q", tc.in, err, ue.ExitCode(), tc.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"up", "plan", "status", "reset", "add-node", "kubeconfig"}
	for word, want := range map[string]string{"stauts": "status", "pln": "plan", "rest": "reset", "add": "add-node", "kubeconf": "kubeconfig", "xyz": "", "u": "up"} {
		if got := Suggest(word, cands); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
}
