package storeurl

import (
	"context"

	goredis "github.com/redis/go-redis/v9"
)

// SilenceRedisLog stops go-redis from writing its own log lines (one per
// failed dial, "redis: ... failed to dial ...") to the process's stderr,
// for a program that already says that the store is down in its own words:
// a command-line tool's error, or a server's store-error log line. It
// affects every Redis client in the process.
func SilenceRedisLog() { goredis.SetLogger(silentLogger{}) }

// silentLogger is a go-redis logger that drops every line.
type silentLogger struct{}

func (silentLogger) Printf(context.Context, string, ...any) {}
