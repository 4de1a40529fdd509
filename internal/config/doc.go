// Package config reads incidentbot's configuration from the environment once,
// checks all of it, and reports every problem together so an operator fixes
// them in one go.
package config
