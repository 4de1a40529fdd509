// Package bottest is the test kit of incidentbot: a clock tests move by hand,
// a Poster that records what it was given and fails on demand, Must helpers,
// and the contract suite every bot.Store and bot.Outbox must pass.
package bottest
