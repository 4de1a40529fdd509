// Package bot is the application core of incidentbot: incidents and their
// timelines, the /incident command grammar, the use cases that serve every chat
// platform alike, the texts stakeholders read, and the delivery policy that gets
// posts out. It knows nothing of Slack, Discord, HTTP or Redis; those are doors
// that speak to it through Request, Reply, Message and the small ports declared
// here (Store, Outbox, Poster, Clock).
package bot
