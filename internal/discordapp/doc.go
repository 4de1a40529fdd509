// Package discordapp is the Discord door: it registers the /incident
// application command, takes interactions over the gateway or over HTTP
// (Ed25519-verified), hands them to bot.Service, renders bot.Message as
// embeds, and posts, threads and edits through discordgo for the delivery
// loop. Every rule about incidents stays in package bot.
package discordapp
