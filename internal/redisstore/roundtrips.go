package redisstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strings"

	"github.com/redis/go-redis/v9"
)

// CountRoundTrips calls count once for every round trip the store makes to
// Redis, naming what it was for: the script it ran (find, apply, take, done,
// ...), else its first command (blpop, hget, ...). The metrics count them,
// so that operators and the benchmark see what a command and a post cost.
// On Cluster with MinReplicas set, the scripts sent with WAIT to a primary
// directly are not counted.
func (s *Store) CountRoundTrips(count func(op string)) {
	s.rdb.AddHook(roundTrips(count))
}

type roundTrips func(op string)

func (h roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h(opOf([]redis.Cmder{cmd}))
		return next(ctx, cmd)
	}
}

func (h roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 {
			h(opOf(cmds))
		}
		return next(ctx, cmds)
	}
}

// opOf names a round trip: by the first script it runs, else by its first
// command.
func opOf(cmds []redis.Cmder) string {
	for _, c := range cmds {
		args := c.Args()
		if len(args) < 2 {
			continue
		}
		switch strings.ToLower(c.Name()) {
		case "evalsha", "evalsha_ro":
			if sha, ok := args[1].(string); ok {
				return nameOfScript(sha)
			}
		case "eval", "eval_ro":
			if src, ok := args[1].(string); ok {
				sum := sha1.Sum([]byte(src))
				return nameOfScript(hex.EncodeToString(sum[:]))
			}
		}
	}
	return strings.ToLower(cmds[0].Name())
}

func nameOfScript(sha string) string {
	if name, ok := scriptNames[sha]; ok {
		return name
	}
	return "script"
}
