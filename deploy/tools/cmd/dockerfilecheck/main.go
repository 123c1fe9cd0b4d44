// dockerfilecheck parses Dockerfiles with BuildKit's own front end (syntax, instructions, flags, stage names,
// build arguments) and checks that every COPY/ADD source from the build context exists and is not excluded by
// the context's .dockerignore, which is what breaks an image build most often. No Docker engine is needed.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

func main() {
	contextDir := flag.String("context", ".", "the build context (the repository root)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: dockerfilecheck [-context DIR] Dockerfile...")
		os.Exit(2)
	}
	var excludes []string
	if f, err := os.Open(filepath.Join(*contextDir, ".dockerignore")); err == nil {
		excludes, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "dockerfilecheck: .dockerignore:", err)
			os.Exit(1)
		}
	}
	matcher, err := patternmatcher.New(excludes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockerfilecheck: .dockerignore:", err)
		os.Exit(1)
	}
	failed := false
	for _, path := range flag.Args() {
		if problems := check(path, *contextDir, matcher); len(problems) > 0 {
			failed = true
			for _, p := range problems {
				fmt.Fprintf(os.Stderr, "dockerfilecheck: %s: %s\n", path, p)
			}
		} else {
			fmt.Fprintf(os.Stderr, "dockerfilecheck: %s is valid\n", path)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(path, contextDir string, matcher *patternmatcher.PatternMatcher) []string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	ast, err := parser.Parse(bytes.NewReader(raw))
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, w := range ast.Warnings {
		problems = append(problems, "warning treated as error: "+w.Short)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return append(problems, err.Error())
	}
	_ = metaArgs
	names := map[string]bool{}
	hasUser, hasHealthcheck := false, false
	for i, stage := range stages {
		last := i == len(stages)-1
		for _, cmd := range stage.Commands {
			switch c := cmd.(type) {
			case *instructions.CopyCommand:
				if c.From != "" {
					if !names[strings.ToLower(c.From)] {
						problems = append(problems, fmt.Sprintf("COPY --from=%s: no earlier stage of that name", c.From))
					}
					continue
				}
				problems = append(problems, sources(c.SourcePaths, contextDir, matcher)...)
			case *instructions.AddCommand:
				problems = append(problems, sources(c.SourcePaths, contextDir, matcher)...)
			case *instructions.UserCommand:
				if last {
					hasUser = c.User != "root" && c.User != "0" && !strings.HasPrefix(c.User, "0:")
				}
			case *instructions.HealthCheckCommand:
				if last {
					hasHealthcheck = c.Health != nil && len(c.Health.Test) > 0 && c.Health.Test[0] != "NONE"
				}
			}
		}
		if stage.Name != "" {
			names[strings.ToLower(stage.Name)] = true
		}
	}
	if !hasUser {
		problems = append(problems, "the final stage does not switch to a non-root USER")
	}
	if !hasHealthcheck {
		problems = append(problems, "the final stage has no HEALTHCHECK")
	}
	return problems
}

func sources(paths []string, contextDir string, matcher *patternmatcher.PatternMatcher) []string {
	var problems []string
	for _, src := range paths {
		if strings.Contains(src, "://") || strings.ContainsAny(src, "*?[$") {
			continue
		}
		rel := filepath.Clean(strings.TrimPrefix(src, "/"))
		if _, err := os.Stat(filepath.Join(contextDir, rel)); err != nil {
			problems = append(problems, fmt.Sprintf("COPY source %s does not exist in the build context", src))
			continue
		}
		if rel == "." {
			continue
		}
		if excluded, _ := matcher.MatchesOrParentMatches(filepath.ToSlash(rel)); excluded {
			problems = append(problems, fmt.Sprintf("COPY source %s is excluded by .dockerignore", src))
		}
	}
	return problems
}
