package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/config"
	"github.com/incidentbot/incidentbot/internal/redisstore"
)

// printAudit is `incidentbot audit`: every record of one workspace's trail,
// or of all of them, as JSON lines an operator can grep or ship elsewhere.
func printAudit(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	wsFlag := fs.String("workspace", "", "")
	sinceFlag := fs.String("since", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errors.New("usage: incidentbot audit [--workspace slack:T0123] [--since 2025-10-30T00:00:00Z]")
	}
	var since time.Time
	if *sinceFlag != "" {
		t, err := time.Parse(time.RFC3339, *sinceFlag)
		if err != nil {
			return fmt.Errorf("--since %q is not a time like 2025-10-30T00:00:00Z", *sinceFlag)
		}
		since = t
	}
	store, workspaces, err := operatorStore(ctx, cfg, *wsFlag, (*redisstore.Store).AuditWorkspaces)
	if err != nil {
		return err
	}
	defer store.Close()
	enc := json.NewEncoder(stdout)
	for _, ws := range workspaces {
		recs, err := store.AuditTrail(ctx, bot.AuditQuery{Workspace: ws, Since: since})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("writing: %w", err)
			}
		}
	}
	return nil
}
