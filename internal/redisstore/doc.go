// Package redisstore keeps incidents, timelines and the outbox of posts in
// Redis through go-redis. Every change of state is one Lua script, so a
// command is recorded whole or not at all, once, whichever replica runs it.
// With no Redis URL it starts an embedded in-memory Redis (miniredis) that
// runs the very same scripts.
package redisstore
