// rulecheck validates Prometheus rule files the way `promtool check rules` does (rulefmt: group and rule
// structure, PromQL parsing, label and annotation templates) without building all of promtool. With
// -dashboard it instead parses every PromQL target of a Grafana dashboard JSON (Grafana's variables
// replaced by sample values first) and lists the koonto_* metrics it uses.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

var grafanaVars = strings.NewReplacer(
	"$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h",
	"$service", ".*", "$consumer", ".*", "${datasource}", "prometheus",
)

var metricName = regexp.MustCompile(`koonto_[a-z_]+`)

func main() {
	dashboard := flag.Bool("dashboard", false, "the files are Grafana dashboards, not rule files")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: rulecheck [-dashboard] FILE...")
		os.Exit(2)
	}
	promql := parser.NewParser(parser.Options{})
	failed := false
	for _, path := range flag.Args() {
		var ok bool
		if *dashboard {
			ok = checkDashboard(promql, path)
		} else {
			ok = checkRules(promql, path)
		}
		failed = failed || !ok
	}
	if failed {
		os.Exit(1)
	}
}

func checkRules(promql parser.Parser, path string) bool {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	groups, errs := rulefmt.ParseFile(path, false, model.UTF8Validation, promql, logger)
	if len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintf(os.Stderr, "rulecheck: %s: %v\n", path, err)
		}
		return false
	}
	rules := 0
	for _, g := range groups.Groups {
		rules += len(g.Rules)
	}
	fmt.Fprintf(os.Stderr, "rulecheck: %s is valid (%d groups, %d rules)\n", path, len(groups.Groups), rules)
	return true
}

type panel struct {
	Title   string  `json:"title"`
	Type    string  `json:"type"`
	Panels  []panel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

func checkDashboard(promql parser.Parser, path string) bool {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rulecheck:", err)
		return false
	}
	var dash struct {
		UID    string  `json:"uid"`
		Title  string  `json:"title"`
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		fmt.Fprintf(os.Stderr, "rulecheck: %s: not JSON: %v\n", path, err)
		return false
	}
	if dash.UID == "" || dash.Title == "" || len(dash.Panels) == 0 {
		fmt.Fprintf(os.Stderr, "rulecheck: %s: a dashboard needs uid, title and panels\n", path)
		return false
	}
	ok := true
	exprs := 0
	metrics := map[string]bool{}
	var walk func([]panel)
	walk = func(panels []panel) {
		for _, p := range panels {
			walk(p.Panels)
			if p.Type != "row" && len(p.Targets) == 0 {
				fmt.Fprintf(os.Stderr, "rulecheck: %s: panel %q has no query\n", path, p.Title)
				ok = false
			}
			for _, t := range p.Targets {
				exprs++
				if _, err := promql.ParseExpr(grafanaVars.Replace(t.Expr)); err != nil {
					fmt.Fprintf(os.Stderr, "rulecheck: %s: panel %q: %v\n", path, p.Title, err)
					ok = false
				}
				for _, m := range metricName.FindAllString(t.Expr, -1) {
					metrics[strings.TrimSuffix(m, "_bucket")] = true
				}
			}
		}
	}
	walk(dash.Panels)
	names := make([]string, 0, len(metrics))
	for m := range metrics {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		fmt.Println(m)
	}
	if ok {
		fmt.Fprintf(os.Stderr, "rulecheck: %s is valid (%d queries, %d koonto metrics)\n", path, exprs, len(names))
	}
	return ok
}
