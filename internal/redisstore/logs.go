package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

var routeOnce sync.Once

// RouteLogs sends go-redis's own log lines (pool dial failures, cluster
// layout reloads) into log, as warnings, instead of to stderr beside it. The
// go-redis logger is one per process: the first call sets it.
func RouteLogs(log *slog.Logger) {
	routeOnce.Do(func() { redis.SetLogger(slogPrintf{log}) })
}

type slogPrintf struct{ log *slog.Logger }

func (l slogPrintf) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
