package discordapp_test

import (
	"strconv"
	"time"
)

func now() string { return strconv.FormatInt(time.Now().Unix(), 10) }

func ago(d time.Duration) string { return strconv.FormatInt(time.Now().Add(-d).Unix(), 10) }
