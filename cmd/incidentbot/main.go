// Command incidentbot is the chat-ops incident bot. With no arguments and no
// chat credentials it runs locally: a console to type /incident commands in,
// plus the HTTP server. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // INCIDENTBOT_TIMEZONE works on hosts without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "incidentbot:", err)
		os.Exit(1)
	}
}
