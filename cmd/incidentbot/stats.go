package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/config"
	"github.com/incidentbot/incidentbot/internal/redisstore"
)

const statsUsage = "usage: incidentbot stats [--since 90d] [--workspace slack:T0123] [--format table|csv|json]"

// printStats is `incidentbot stats`: how long incidents took, across every
// workspace in the Redis it is pointed at, or one.
func printStats(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	wsFlag := fs.String("workspace", "", "")
	sinceFlag := fs.String("since", "90d", "")
	format := fs.String("format", "table", "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errors.New(statsUsage)
	}
	back, err := bot.ParseSince(*sinceFlag)
	if err != nil {
		return fmt.Errorf("%s\n%s", bot.ErrorMessage(err), statsUsage)
	}
	write := map[string]func(bot.Stats) string{"table": bot.Stats.Table, "csv": bot.Stats.CSV, "json": bot.Stats.JSON}[*format]
	if write == nil {
		return fmt.Errorf("--format %q is not table, csv or json\n%s", *format, statsUsage)
	}
	store, workspaces, err := operatorStore(ctx, cfg, *wsFlag, (*redisstore.Store).IncidentWorkspaces)
	if err != nil {
		return err
	}
	defer store.Close()
	since := time.Now().Add(-back)
	var incs []bot.Incident
	for _, ws := range workspaces {
		some, err := store.Declared(ctx, ws, since)
		if err != nil {
			return err
		}
		incs = append(incs, some...)
	}
	out := write(bot.ComputeStats(incs, since))
	if *format == "table" {
		out += "\n"
	}
	_, err = io.WriteString(stdout, out)
	return err
}
