// Package chattest holds fakes of the Slack Web API and of Discord's REST API
// and gateway, on httptest servers, for tests only. The real client libraries
// reach them through a base-URL override (Slack) or a transport that rewrites
// the host (Discord). They record what was posted as a reader of each channel
// would see it, and misbehave on command: 429 with or without Retry-After,
// 5xx, slow answers.
package chattest
