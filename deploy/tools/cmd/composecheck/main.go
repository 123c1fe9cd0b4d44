// composecheck loads a Compose file the way `docker compose config` does (compose-go: schema validation,
// interpolation from an env file, normalisation and consistency checks) and exits non-zero when it is invalid.
// Used by .ci/validate-deploy.sh because CI has no Docker engine and no compose plugin.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	envFile := flag.String("env-file", "", "env file used for ${VAR} interpolation (like docker compose --env-file)")
	name := flag.String("project-name", "koonto", "compose project name")
	quiet := flag.Bool("q", false, "do not print the resolved configuration")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: composecheck [-env-file FILE] [-q] compose.yml...")
		os.Exit(2)
	}
	opts := []cli.ProjectOptionsFn{cli.WithName(*name), cli.WithResolvedPaths(true)}
	if *envFile != "" {
		opts = append(opts, cli.WithEnvFiles(*envFile), cli.WithDotEnv)
	}
	options, err := cli.NewProjectOptions(flag.Args(), opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		os.Exit(1)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck: invalid compose file:", err)
		os.Exit(1)
	}
	out, err := project.MarshalYAML()
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		os.Exit(1)
	}
	if !*quiet {
		_, _ = os.Stdout.Write(out)
	}
	fmt.Fprintf(os.Stderr, "composecheck: %s is valid (%d services, %d volumes, %d networks)\n",
		flag.Args()[0], len(project.Services), len(project.Volumes), len(project.Networks))
}
