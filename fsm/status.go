package fsm

import "fmt"

// Status is where an incident stands, named as Statuspage names it.
type Status string

// The statuses in lifecycle order.
const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Resolved      Status = "resolved"
	Postmortem    Status = "postmortem"
)

// Statuses lists every status in lifecycle order.
func Statuses() []Status {
	return []Status{Investigating, Identified, Monitoring, Resolved, Postmortem}
}

// Parse returns the status named s, or an error for any other word.
func Parse(s string) (Status, error) {
	st := Status(s)
	if !st.Valid() {
		return "", fmt.Errorf("fsm: unknown status %q", s)
	}
	return st, nil
}

// Valid reports whether s is one of the five statuses.
func (s Status) Valid() bool {
	switch s {
	case Investigating, Identified, Monitoring, Resolved, Postmortem:
		return true
	}
	return false
}

// order is the place of s in the lifecycle, from 0.
func (s Status) order() int {
	for i, st := range Statuses() {
		if st == s {
			return i
		}
	}
	return len(Statuses())
}

// Open reports whether responders are still working on an incident in s.
func (s Status) Open() bool {
	return s == Investigating || s == Identified || s == Monitoring
}

// Title is the status as a heading word: "Identified".
func (s Status) Title() string {
	if s == "" {
		return ""
	}
	return string(s[0]-'a'+'A') + string(s[1:])
}
