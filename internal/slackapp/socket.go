package slackapp

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode serves slash commands and interactions over Socket Mode until
// ctx is done: no public URL needed. The API client must carry the app-level
// token. opts configure the socketmode client (tests shorten its pings).
func (a *App) RunSocketMode(ctx context.Context, opts ...socketmode.Option) error {
	client := socketmode.New(a.opt.API, opts...)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-client.Events:
				if !ok {
					return
				}
				a.socketEvent(ctx, client, evt)
			}
		}
	}()
	err := client.RunContext(ctx) // it returns only with an error, ctx's among them
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("slackapp: socket mode: %w", err)
}

// socketEvent answers one Socket Mode event; each is acknowledged with the
// reply, as the HTTP endpoints answer in their response body.
func (a *App) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		a.ack(client, evt, a.slash(ctx, sc))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		a.ack(client, evt, a.interact(ctx, cb))
	case socketmode.EventTypeInvalidAuth:
		a.opt.Logger.Error("slack: socket mode refused the app-level token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeConnectionError:
		a.opt.Logger.Warn("slack: socket mode connection failed; retrying")
	}
}

func (a *App) ack(client *socketmode.Client, evt socketmode.Event, payload any) {
	var err error
	if payload == nil {
		err = client.Ack(*evt.Request)
	} else {
		err = client.Ack(*evt.Request, payload)
	}
	if err != nil {
		a.opt.Logger.Warn("slack: acknowledging over socket mode", "err", err)
	}
}
