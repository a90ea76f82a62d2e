// Package sdkfiles is what scripts/sdkgen and scripts/sdkgen-dotnet share. It is a module of its own, with no
// dependencies, because the two programs build against different versions of github.com/pulumi/pulumi/pkg/v3
// (one module cannot require both).
package sdkfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// WriteTree replaces dir with exactly the given files, written in a stable order, so files a generator no
// longer writes do not linger.
func WriteTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Fail reports err as coming from the named program and exits with status 1.
func Fail(program string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
	os.Exit(1)
}
