// Package httpserver is incidentbot's one HTTP listener: the routes of every
// door that speaks HTTP, health and readiness, listed in routes.go.
package httpserver
