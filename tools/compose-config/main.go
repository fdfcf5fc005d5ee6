// compose-config loads a Compose file the way `docker compose config` does, with the Compose
// Specification's own loader (github.com/compose-spec/compose-go/v2, the library Docker Compose
// uses): YAML parsing, JSON-schema validation against the bundled compose-spec.json,
// interpolation of ${VAR} from this process's environment, normalization and the consistency
// checks (depends_on, networks and volumes that exist). It prints the resolved project as JSON on
// stdout, or the loader's error on stderr with exit status 1.
//
// Tests run it instead of Docker (which they may not have): test/compose/compose-config.ts builds
// it once per version into the otelkit cache. A .env file is deliberately not read, so the result
// depends only on the environment the caller passes.
//
//	compose-config [-profile NAME]... FILE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type profiles []string

func (p *profiles) String() string     { return strings.Join(*p, ",") }
func (p *profiles) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	var enabled profiles
	flag.Var(&enabled, "profile", "profile to enable (repeatable; \"*\" enables all)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-config [-profile NAME]... FILE")
		os.Exit(2)
	}
	file, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithOsEnv,
		cli.WithProfiles(enabled),
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
