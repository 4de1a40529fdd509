package console

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/incidentbot/incidentbot/bot"
)

// Poster is the console's bot.Poster: it keeps every post until the console
// prints it after the reply of the command that made it.
type Poster struct {
	mu    sync.Mutex
	posts []string
}

var (
	_ bot.Poster        = (*Poster)(nil)
	_ bot.ChannelOpener = (*Poster)(nil)
)

// OpenChannel binds the console to the new incident.
func (p *Poster) OpenChannel(_ context.Context, o bot.Opening) (string, error) {
	p.add(fmt.Sprintf("[#%s] This console is now the channel of %s.", Channel, o.Card.Ref))
	return Channel, nil
}

// Post keeps the post's plain text for printing.
func (p *Poster) Post(_ context.Context, post bot.Post) (string, error) {
	p.add(fmt.Sprintf("[#%s]\n%s", post.Channel, strings.TrimRight(post.Message.Text, "\n")))
	return "", nil
}

func (p *Poster) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, s)
}

// pending reports whether posts wait to be printed.
func (p *Poster) pending() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.posts) > 0
}

// flush writes the kept posts to w, each after a blank line, and a blank
// line after the last so the next reply stands apart.
func (p *Poster) flush(w io.Writer) error {
	p.mu.Lock()
	posts := p.posts
	p.posts = nil
	p.mu.Unlock()
	if len(posts) == 0 {
		return nil
	}
	var b strings.Builder
	for _, s := range posts {
		b.WriteString("\n" + s + "\n")
	}
	b.WriteString("\n")
	if _, err := io.WriteString(w, inert(b.String())); err != nil {
		return fmt.Errorf("console: writing: %w", err)
	}
	return nil
}
