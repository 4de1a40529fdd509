package chattest

import (
	"net/http"
	"slices"
	"time"
)

// SlackLimits makes the fake rate-limit as Slack does under load: of every
// Every calls of Methods, the first Limited are answered 429 with
// Retry-After, until Until. Each answer closes the method in that channel
// for RetryAfter; a call that comes while it is closed is answered 429 too,
// and counted once it surely could have known: in the second half of the
// window. Calls already under way when the 429 was written cannot know,
// and on a busy machine one can take long to arrive; a client that ignores
// the window calls in both halves. A client that honours Retry-After makes
// none.
type SlackLimits struct {
	Methods        []string
	Every, Limited int
	RetryAfter     time.Duration
	Until          time.Time
}

type window struct{ from, until time.Time }

type slackLimiter struct {
	SlackLimits
	n      int
	closed map[string]window // by method and channel
	early  int
}

// SetLimits starts rate-limiting as l says; SetLimits(SlackLimits{}) stops.
func (s *Slack) SetLimits(l SlackLimits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limiter = &slackLimiter{SlackLimits: l, closed: map[string]window{}}
}

// EarlyCalls counts the calls made to a method in a channel while a 429
// had closed it.
func (s *Slack) EarlyCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limiter == nil {
		return 0
	}
	return s.limiter.early
}

// limit answers a call with 429 when the limiter says so, and reports it.
func (s *Slack) limit(w http.ResponseWriter, r *http.Request, method string) bool {
	s.mu.Lock()
	l := s.limiter
	s.mu.Unlock()
	if l == nil || !slices.Contains(l.Methods, method) {
		return false
	}
	form, err := readSlackForm(r)
	if err != nil {
		return false
	}
	key := method + " " + form.Get("channel")
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := l.closed[key]; now.Before(c.until) {
		if now.After(c.from) {
			l.early++
		}
		refuseSlack(w, http.StatusTooManyRequests, c.until.Sub(now))
		return true
	}
	if now.After(l.Until) {
		return false
	}
	l.n++
	if (l.n-1)%l.Every >= l.Limited {
		return false
	}
	refuseSlack(w, http.StatusTooManyRequests, l.RetryAfter)
	l.closed[key] = window{from: now.Add(l.RetryAfter / 2), until: now.Add(l.RetryAfter)}
	return true
}
