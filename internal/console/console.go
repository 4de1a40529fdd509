package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// Workspace is the one workspace of the console.
var Workspace = bot.Workspace{Platform: bot.Console, ID: "local"}

// Channel is the console's channel: it is bound to the incident declared last.
const Channel = "console"

// Console reads commands from In and writes replies and posts to Out.
type Console struct {
	Service *bot.Service
	Outbox  bot.Outbox
	Poster  *Poster
	In      io.Reader
	Out     io.Writer
	// Actor is who types, as a user reference: "@name".
	Actor string
	// Prompt is printed before each line; empty for none.
	Prompt string
	// DrainTimeout bounds the wait for a command's posts.
	DrainTimeout time.Duration
}

// Run handles lines until the input ends or ctx is done. After each command it
// waits for the command's posts and prints them, so the output reads in order.
// It fails only when the output fails or posts are still queued at the end.
func (c *Console) Run(ctx context.Context) error {
	if c.DrainTimeout == 0 {
		c.DrainTimeout = 10 * time.Second
	}
	lines := bufio.NewScanner(c.In)
	lines.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if c.Prompt != "" {
			fmt.Fprint(c.Out, c.Prompt)
		}
		if !lines.Scan() || ctx.Err() != nil {
			break
		}
		line := strings.TrimSpace(lines.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		reply, err := c.Service.Handle(ctx, bot.Request{
			Workspace: Workspace, Channel: Channel, Actor: c.Actor, Text: line, RequestID: "console-" + rand.Text(),
		})
		text := reply.Text
		if err != nil {
			text = bot.ErrorMessage(err)
		}
		if _, err := fmt.Fprintln(c.Out, inert(text)); err != nil {
			return fmt.Errorf("console: writing: %w", err)
		}
		if err := c.settle(ctx); err != nil {
			return err
		}
	}
	if err := lines.Err(); err != nil {
		return fmt.Errorf("console: reading: %w", err)
	}
	return nil
}

// settle waits until the outbox has delivered everything queued, then prints
// what was posted.
func (c *Console) settle(ctx context.Context) error {
	deadline := time.Now().Add(c.DrainTimeout)
	for {
		bl, err := c.Outbox.Backlog(ctx, Workspace)
		if err == nil && bl.Queued == 0 {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.Poster.flush(c.Out)
			return fmt.Errorf("console: %d post(s) still queued after %s", bl.Queued, c.DrainTimeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return c.Poster.flush(c.Out)
}

// IsTerminal reports whether r is an interactive terminal, which earns a prompt.
func IsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
