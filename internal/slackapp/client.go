package slackapp

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/incidentbot/incidentbot/bot"
)

// HTTPClient is the client the bot calls Slack's Web API with. Calls time
// out after timeout. It keeps a connection open for each of delivery's
// calls at once, where Go's default keeps two and a burst of posts dialled a
// new connection for most of them. And it trims the answers to posts and
// edits (trimmed).
func HTTPClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 2 * bot.DefaultWorkers(bot.Slack) // delivery's calls, and the commands' lookups
	return &http.Client{Timeout: timeout, Transport: trimmed{next: t}}
}

// trimmed drops the message from Slack's answer to chat.postMessage and
// chat.update. Slack sends the whole message back, blocks and all, which
// slack-go decodes into its block types only for the bot to read ok, error,
// channel and ts: that decoding was a third of delivery's CPU. The rest of
// the answer is passed on as it came.
type trimmed struct{ next http.RoundTripper }

func (t trimmed) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK || !trimmedMethod(r.URL.Path) {
		return resp, err
	}
	buf := answers.Get().(*bytes.Buffer)
	defer answers.Put(buf)
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body := withoutMessage(buf.Bytes())
	if body == nil {
		body = bytes.Clone(buf.Bytes()) // not an answer it trims: passed on whole
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// answers are the buffers Slack's answers are read into: one a call at
// once, kept between calls rather than allocated for each.
var answers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func trimmedMethod(path string) bool {
	return strings.HasSuffix(path, "/chat.postMessage") || strings.HasSuffix(path, "/chat.update")
}
