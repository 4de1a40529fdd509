//go:build unix

package httpserver

import "syscall"

// openFileLimit is the soft limit on open descriptors, which the Go runtime
// has already raised to the hard limit at start.
func openFileLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	return uint64(lim.Cur), true // int64 on some BSDs
}
