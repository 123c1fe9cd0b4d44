// dockerfilecheck parses Dockerfiles with BuildKit's own front end (syntax, instructions, flags, stage names,
// build arguments) and checks that every COPY/ADD source from the build context exists and is not excluded by
// the context's .dockerignore, which is what breaks an image build most often. No Docker engine is needed.
//
// -build-arg NAME=VALUE (repeatable) checks the Dockerfile as `docker build --build-arg` would build it:
// ARG values are substituted into FROM and COPY/ADD (with BuildKit's shell lexer, so ${NAME:?message} fails
// the check as it fails the build), and the final stage's USER and HEALTHCHECK may come from the earlier stage
// it is built on. Sources whose variables have no value are passed over.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

type buildArgs map[string]string

func (b buildArgs) String() string {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+b[k])
	}
	return strings.Join(parts, " ")
}

func (b buildArgs) Set(value string) error {
	name, val, ok := strings.Cut(value, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", value)
	}
	b[name] = val
	return nil
}

func main() {
	contextDir := flag.String("context", ".", "the build context (the repository root)")
	args := buildArgs{}
	flag.Var(args, "build-arg", "NAME=VALUE, as for docker build (repeatable)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: dockerfilecheck [-context DIR] [-build-arg NAME=VALUE]... Dockerfile...")
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
	label := func(path string) string {
		if len(args) == 0 {
			return path
		}
		return fmt.Sprintf("%s (%s)", path, args)
	}
	failed := false
	for _, path := range flag.Args() {
		if problems := check(path, *contextDir, matcher, args); len(problems) > 0 {
			failed = true
			for _, p := range problems {
				fmt.Fprintf(os.Stderr, "dockerfilecheck: %s: %s\n", label(path), p)
			}
		} else {
			fmt.Fprintf(os.Stderr, "dockerfilecheck: %s is valid\n", label(path))
		}
	}
	if failed {
		os.Exit(1)
	}
}

// env is the set of variables a word is expanded with (ARG values, ENV values).
type env map[string]string

func (e env) getter() shell.EnvGetter {
	list := make([]string, 0, len(e))
	for k, v := range e {
		list = append(list, k+"="+v)
	}
	return shell.EnvsFromSlice(list)
}

// declare applies an ARG instruction to e: the build argument when given, else the ARG's default (expanded
// with what e holds so far), else the value of the same global ARG (fallback may be nil).
func declare(e env, cmd *instructions.ArgCommand, args buildArgs, fallback env, lex *shell.Lex, declared map[string]bool) error {
	for _, kv := range cmd.Args {
		declared[kv.Key] = true
		if v, ok := args[kv.Key]; ok {
			e[kv.Key] = v
			continue
		}
		if kv.Value != nil {
			v, _, err := lex.ProcessWord(*kv.Value, e.getter())
			if err != nil {
				return err
			}
			e[kv.Key] = v
			continue
		}
		if v, ok := fallback[kv.Key]; ok {
			e[kv.Key] = v
		}
	}
	return nil
}

// expand substitutes e's variables into word; known is false when the word names a variable without a value.
func expand(lex *shell.Lex, word string, e env) (result string, known bool, err error) {
	if !strings.Contains(word, "$") {
		return word, true, nil
	}
	res, err := lex.ProcessWordWithMatches(word, e.getter())
	if err != nil {
		return "", false, err
	}
	return res.Result, len(res.Unmatched) == 0, nil
}

type stageState struct{ hasUser, hasHealthcheck bool }

func check(path, contextDir string, matcher *patternmatcher.PatternMatcher, args buildArgs) []string {
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
	lex := shell.NewLex(ast.EscapeToken)
	declared := map[string]bool{}
	global := env{}
	for i := range metaArgs {
		if err := declare(global, &metaArgs[i], args, nil, lex, declared); err != nil {
			return append(problems, "ARG: "+err.Error())
		}
	}
	names := map[string]stageState{}
	var final stageState
	for _, stage := range stages {
		base, _, err := expand(lex, stage.BaseName, global)
		if err != nil {
			problems = append(problems, fmt.Sprintf("FROM %s: %v", stage.BaseName, err))
		}
		state := names[strings.ToLower(base)] // a stage built on an earlier stage starts from its USER and HEALTHCHECK
		local := env{}
		for _, cmd := range stage.Commands {
			switch c := cmd.(type) {
			case *instructions.ArgCommand:
				if err := declare(local, c, args, global, lex, declared); err != nil {
					problems = append(problems, "ARG: "+err.Error())
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if v, known, err := expand(lex, kv.Value, local); err == nil && known {
						local[kv.Key] = v
					}
				}
			case *instructions.CopyCommand:
				if c.From != "" {
					from, known, err := expand(lex, c.From, local)
					if err != nil {
						problems = append(problems, fmt.Sprintf("COPY --from=%s: %v", c.From, err))
						continue
					}
					if _, ok := names[strings.ToLower(from)]; known && !ok {
						problems = append(problems, fmt.Sprintf("COPY --from=%s: no earlier stage of that name", c.From))
					}
					continue
				}
				problems = append(problems, sources(lex, c.SourcePaths, local, contextDir, matcher)...)
			case *instructions.AddCommand:
				problems = append(problems, sources(lex, c.SourcePaths, local, contextDir, matcher)...)
			case *instructions.UserCommand:
				state.hasUser = c.User != "root" && c.User != "0" && !strings.HasPrefix(c.User, "0:")
			case *instructions.HealthCheckCommand:
				state.hasHealthcheck = c.Health != nil && len(c.Health.Test) > 0 && c.Health.Test[0] != "NONE"
			}
		}
		if stage.Name != "" {
			names[strings.ToLower(stage.Name)] = state
		}
		final = state
	}
	for name := range args {
		if !declared[name] {
			problems = append(problems, fmt.Sprintf("build argument %s is not declared by any ARG", name))
		}
	}
	if !final.hasUser {
		problems = append(problems, "the final stage does not switch to a non-root USER")
	}
	if !final.hasHealthcheck {
		problems = append(problems, "the final stage has no HEALTHCHECK")
	}
	return problems
}

func sources(lex *shell.Lex, paths []string, e env, contextDir string, matcher *patternmatcher.PatternMatcher) []string {
	var problems []string
	for _, src := range paths {
		expanded, known, err := expand(lex, src, e)
		if err != nil {
			problems = append(problems, fmt.Sprintf("COPY source %s: %v", src, err))
			continue
		}
		if !known || strings.Contains(expanded, "://") || strings.ContainsAny(expanded, "*?[$") {
			continue
		}
		if expanded == "" {
			problems = append(problems, fmt.Sprintf("COPY source %s is empty", src))
			continue
		}
		rel := filepath.Clean(strings.TrimPrefix(expanded, "/"))
		if _, err := os.Stat(filepath.Join(contextDir, rel)); err != nil {
			problems = append(problems, fmt.Sprintf("COPY source %s does not exist in the build context", expanded))
			continue
		}
		if rel == "." {
			continue
		}
		if excluded, _ := matcher.MatchesOrParentMatches(filepath.ToSlash(rel)); excluded {
			problems = append(problems, fmt.Sprintf("COPY source %s is excluded by .dockerignore", expanded))
		}
	}
	return problems
}
