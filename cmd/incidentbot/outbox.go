package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/incidentbot/incidentbot/internal/config"
	"github.com/incidentbot/incidentbot/internal/redisstore"
)

const outboxUsage = `usage: incidentbot outbox list|replay|purge [--workspace slack:T0123] [--incident 12] [--id <entry ID>]
  list    print the parked posts as JSON lines
  replay  send them again, after what their lanes hold now (needs --workspace)
  purge   delete them for good (needs --workspace)`

// outboxCommand is `incidentbot outbox`: the posts parked in the
// dead-letter streams, listed, sent again or deleted.
func outboxCommand(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(outboxUsage)
	}
	verb := args[0]
	fs := flag.NewFlagSet("outbox", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	wsFlag := fs.String("workspace", "", "")
	incident := fs.Int("incident", 0, "")
	id := fs.String("id", "", "")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || (verb != "list" && verb != "replay" && verb != "purge") {
		return errors.New(outboxUsage)
	}
	if verb != "list" && *wsFlag == "" {
		return fmt.Errorf("outbox %s needs --workspace, so that nothing is sent again or deleted by mistake\n%s", verb, outboxUsage)
	}
	store, workspaces, err := operatorStore(ctx, cfg, *wsFlag, (*redisstore.Store).ParkedWorkspaces)
	if err != nil {
		return err
	}
	defer store.Close()
	var posts []redisstore.ParkedPost
	for _, ws := range workspaces {
		parked, err := store.Parked(ctx, ws, *incident)
		if err != nil {
			return err
		}
		for _, p := range parked {
			if *id == "" || p.ID == *id {
				posts = append(posts, p)
			}
		}
	}
	switch verb {
	case "replay":
		n, err := store.Replay(ctx, posts)
		fmt.Fprintf(stdout, "Sent %d parked post(s) back to their lanes.\n", n)
		return err
	case "purge":
		n, err := store.Purge(ctx, posts)
		fmt.Fprintf(stdout, "Deleted %d parked post(s).\n", n)
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, p := range posts {
		if err := enc.Encode(p); err != nil {
			return fmt.Errorf("writing: %w", err)
		}
	}
	return nil
}
