// Package fsm is the incident lifecycle: the five statuses responders move an
// incident through and the table of moves between them, checked on
// github.com/looplab/fsm. It holds no state between calls: every check builds a
// fresh machine from the status stored in Redis, because several replicas serve
// the same incidents and Redis is the truth.
package fsm
