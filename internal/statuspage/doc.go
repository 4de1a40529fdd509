// Package statuspage is the door for stakeholders without a chat account:
// the public status page, an API in Atlassian Statuspage's v2 shape (so
// tools written for Statuspage read it unchanged), Atom and RSS feeds, and
// outgoing webhooks. Everything it serves comes from an in-memory snapshot
// of the core's read model, refreshed at most every couple of seconds, so a
// page polled by thousands costs Redis a few reads a second.
package statuspage
