// Package httpserver is incidentbot's one HTTP listener: the routes of every
// door that speaks HTTP, health and readiness, listed in routes.go; and the
// server and listener that keep strangers from tying it up, with a time
// limit on every stage of a connection and a bound on how many are open.
package httpserver
