package bot

import "sync"

// recent remembers, for each place a command named an incident from, the
// incident as this replica's last change there left it. The next command
// there is planned from it without reading it first: one round trip to
// Redis to answer it instead of two. The store's version check keeps that
// safe: a change planned from an incident someone has changed since, on any
// replica, is refused as a conflict, and the command is planned again from
// a fresh read.
//
// Only incidents the lookup resolved by itself (named, or the incident of
// the channel) are remembered: "the only open incident" can stop being the
// only one without the incident changing.
type recent struct {
	mu    sync.Mutex
	found map[Lookup]Found
}

// maxRecent bounds what recent keeps: enough for every incident responders
// work on at once, small beside the rest of the bot's memory.
const maxRecent = 256

// get returns what the last change at l left, if it is known; the incident
// is a copy the caller may change.
func (r *recent) get(l Lookup) (Found, bool) {
	r.mu.Lock()
	f, ok := r.found[where(l)]
	r.mu.Unlock()
	if !ok {
		return Found{}, false
	}
	inc := f.Incident.clone()
	f.Incident = &inc
	return f, true
}

// put remembers inc, as stored by a change made at l from f. It keeps inc
// itself, not a copy: the change that planned it is over, and get hands out
// copies.
func (r *recent) put(l Lookup, f Found, inc Incident) {
	f.Incident, f.Prior, f.Open = &inc, nil, nil
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.found == nil {
		r.found = map[Lookup]Found{}
	}
	if _, ok := r.found[where(l)]; !ok && len(r.found) >= maxRecent {
		for k := range r.found { // any one: a forgotten incident is read again
			delete(r.found, k)
			break
		}
	}
	r.found[where(l)] = f
}

// forget drops what is known at l: its change failed or was not this
// replica's to know.
func (r *recent) forget(l Lookup) {
	r.mu.Lock()
	delete(r.found, where(l))
	r.mu.Unlock()
}

// where is l without its request: the place a command names an incident
// from.
func where(l Lookup) Lookup {
	l.RequestID = ""
	return l
}
