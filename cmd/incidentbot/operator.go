package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/config"
	"github.com/incidentbot/incidentbot/internal/redisstore"
)

// What the operators' commands (audit, outbox, stats) share.

// operatorStore opens the Redis the configuration names, for an operator's
// command, with the workspace --workspace names, or all that list finds
// there when it names none. The caller closes the store.
func operatorStore(ctx context.Context, cfg config.Config, flag string,
	list func(*redisstore.Store, context.Context) ([]bot.Workspace, error)) (*redisstore.Store, []bot.Workspace, error) {
	store, err := redisstore.Open(ctx, redisstore.Options{URL: cfg.RedisURL})
	if err != nil {
		return nil, nil, err
	}
	if flag == "" {
		wss, err := list(store, ctx)
		if err != nil {
			store.Close()
			return nil, nil, err
		}
		return store, wss, nil
	}
	ws, err := parseWorkspaceFlag(flag)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, []bot.Workspace{ws}, nil
}

// parseWorkspaceFlag reads --workspace: "<platform>:<id>".
func parseWorkspaceFlag(v string) (bot.Workspace, error) {
	platform, id, ok := strings.Cut(v, ":")
	if !ok || id == "" || platform == "" {
		return bot.Workspace{}, fmt.Errorf("--workspace %q is not <platform>:<id>, like slack:T0123 or discord:81384788765712384", v)
	}
	return bot.Workspace{Platform: bot.Platform(platform), ID: id}, nil
}
