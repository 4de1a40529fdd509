// Package chattest holds fakes of the Slack Web API and of Discord's REST API
// and gateway, on httptest servers, for tests only. The real client libraries
// reach them through a base-URL override (Slack) or a transport that rewrites
// the host (Discord). They record what was posted as a reader of each channel
// would see it, answer the reads a poster uses to find out whether a post it
// is unsure about went out (Slack's conversations.history, .replies and .list
// with message metadata; Discord's active threads and guild channels), and
// misbehave on command (FailNext, SlowNext, DelayNext) or at random (Chaos):
// 429 with or without Retry-After, 5xx, slow answers, and connections closed
// before or after the call is done. Duplicates is the reader's view for
// exactly-once checks. The Socket Mode and gateway websockets never misbehave.
package chattest
