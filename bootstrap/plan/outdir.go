package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/swapboot/swapboot/bootstrap/exit"
)

// OutManifest is the file in a `plan --out` folder that lists, one relative path a line, what swapboot
// wrote there: the next plan into the same folder removes exactly those files first, so two runs never mix.
const OutManifest = ".swapboot-plan"

// OutDirError is a --out folder swapboot will not write into; exit code 2.
type OutDirError struct{ Dir, Problem, Fix string }

func (e *OutDirError) Error() string { return "--out " + e.Dir + ": " + e.Problem + "; " + e.Fix }

// ExitCode: the folder is bad input.
func (e *OutDirError) ExitCode() int { return exit.BadInput }

// prepareOutDir makes dir ready for a plan: new or empty is fine; a folder swapboot wrote (it holds
// OutManifest) loses the files the manifest lists (and folders left empty); anything else is refused.
func prepareOutDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &OutDirError{dir, "cannot be read: " + err.Error(), "give a folder you can write to"}
	case len(entries) == 0:
		return nil
	}
	manifest, err := os.ReadFile(filepath.Join(dir, OutManifest))
	if errors.Is(err, fs.ErrNotExist) {
		return &OutDirError{dir, "is not empty and was not written by swapboot plan (no " + OutManifest + ")",
			"give a new or empty folder, or empty this one first"}
	}
	if err != nil {
		return &OutDirError{dir, "cannot read " + OutManifest + ": " + err.Error(), "give a new or empty folder"}
	}
	var dirs []string
	for _, rel := range strings.Split(strings.TrimSpace(string(manifest)), "\n") {
		if rel == "" {
			continue
		}
		if !filepath.IsLocal(rel) || rel == OutManifest {
			return &OutDirError{dir, fmt.Sprintf("%s lists %q, which is not a file swapboot writes", OutManifest, rel), "give a new or empty folder"}
		}
		if err := os.Remove(filepath.Join(dir, rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return &OutDirError{dir, "cannot remove the previous plan's " + rel + ": " + err.Error(), "check the folder's permissions"}
		}
		for d := filepath.Dir(rel); d != "."; d = filepath.Dir(d) {
			dirs = append(dirs, d)
		}
	}
	// Deepest first; a folder that still holds something (not swapboot's) stays.
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	for _, d := range dirs {
		_ = os.Remove(filepath.Join(dir, d))
	}
	return os.Remove(filepath.Join(dir, OutManifest))
}

// outWriter writes the plan's files under dir and records them in the manifest.
type outWriter struct {
	dir     string
	written []string
}

func (w *outWriter) write(rel, content string) error {
	if err := writeOut(filepath.Join(w.dir, rel), content); err != nil {
		return err
	}
	w.written = append(w.written, filepath.ToSlash(rel))
	return nil
}

func (w *outWriter) finish() error {
	return writeOut(filepath.Join(w.dir, OutManifest), strings.Join(w.written, "\n")+"\n")
}
