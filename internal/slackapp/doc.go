// Package slackapp is the Slack door: it verifies and reads slash commands and
// interactions (over HTTP or Socket Mode), hands them to bot.Service, renders
// bot.Message as Block Kit, and posts, threads and edits through slack-go for
// the delivery loop. Every rule about incidents stays in package bot.
package slackapp
