package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	// Live prints, between commands, the posts nobody typed a command for
	// (reminders falling due), as they go out.
	Live bool
	// ReportDir is where the whole report of a long incident is written
	// when a show had to leave updates out; the system's temporary
	// directory when empty.
	ReportDir string
}

// livePause is how often a live console looks for posts made on their own.
const livePause = time.Second

// Run handles lines until the input ends or ctx is done. After each command it
// waits for the command's posts and prints them, so the output reads in order.
// It fails only when the output fails or posts are still queued at the end.
func (c *Console) Run(ctx context.Context) error {
	if c.DrainTimeout == 0 {
		c.DrainTimeout = 10 * time.Second
	}
	lines, readErr := c.read(ctx)
	var tick <-chan time.Time
	if c.Live {
		t := time.NewTicker(livePause)
		defer t.Stop()
		tick = t.C
	}
	c.prompt()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			if err := c.showLive(); err != nil {
				return err
			}
		case line, ok := <-lines:
			if !ok {
				return <-readErr
			}
			if err := c.handle(ctx, line); err != nil {
				return err
			}
			c.prompt()
		}
	}
}

func (c *Console) prompt() {
	if c.Prompt != "" {
		fmt.Fprint(c.Out, c.Prompt)
	}
}

// showLive prints the posts that went out since the last command, if any,
// on a line of their own, and the prompt again.
func (c *Console) showLive() error {
	if !c.Poster.pending() {
		return nil
	}
	fmt.Fprintln(c.Out)
	if err := c.Poster.flush(c.Out); err != nil {
		return err
	}
	c.prompt()
	return nil
}

// handle runs one line typed, prints the reply, and then the posts it made.
func (c *Console) handle(ctx context.Context, line string) error {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	reply, handleErr := c.Service.Handle(ctx, bot.Request{
		Workspace: Workspace, Channel: Channel, Actor: c.Actor, Text: line, RequestID: "console-" + rand.Text(),
	})
	text := reply.Text
	if handleErr != nil {
		text = bot.ErrorMessage(handleErr)
	}
	if _, err := fmt.Fprintln(c.Out, inert(text)); err != nil {
		return fmt.Errorf("console: writing: %w", err)
	}
	if handleErr == nil && reply.Full != 0 {
		if _, err := fmt.Fprintln(c.Out, c.writeFull(ctx, reply.Full)); err != nil {
			return fmt.Errorf("console: writing: %w", err)
		}
	}
	return c.settle(ctx)
}

// read sends the input's lines until it ends, then its error (nil at the
// end of the input) on the second channel.
func (c *Console) read(ctx context.Context) (<-chan string, <-chan error) {
	lines, errc := make(chan string), make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(c.In)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				errc <- nil
				return
			}
		}
		if err := sc.Err(); err != nil {
			errc <- fmt.Errorf("console: reading: %w", err)
			return
		}
		errc <- nil
	}()
	return lines, errc
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

// writeFull writes the whole report of incident number to a file and says
// where, or why not.
func (c *Console) writeFull(ctx context.Context, number int) string {
	file, err := c.Service.FullReport(ctx, Workspace, number)
	if err != nil {
		return "The whole report could not be read: " + bot.ErrorMessage(err)
	}
	dir := c.ReportDir
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "incidentbot-"+file.Name)
	if err := os.WriteFile(path, []byte(file.Text), 0o600); err != nil {
		return "The whole report could not be written: " + err.Error()
	}
	return "The whole report, every update in it, is in " + path
}
