package discordapp_test

import (
	"strconv"
	"time"
)

func now() string { return strconv.FormatInt(time.Now().Unix(), 10) }

func ago(d time.Duration) string { return strconv.FormatInt(time.Now().Add(-d).Unix(), 10) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
