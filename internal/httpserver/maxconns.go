package httpserver

import "runtime"

const (
	// fewestConns is the least DefaultMaxConns gives, however low the
	// open-file limit: fewer would shed working connections under ordinary
	// load, and a process that low on descriptors fails elsewhere first.
	fewestConns = 64
	// mostConns caps DefaultMaxConns where the open-file limit is huge or
	// unlimited, as it often is in containers: every connection costs some
	// 20 KiB (a goroutine and its buffers), and the chat platforms never
	// hold more than a handful open.
	mostConns = 4096
)

// DefaultMaxConns is how many connections the listener holds when the
// operator sets no bound: what the open-file limit leaves once the rest of
// the process has what it needs.
func DefaultMaxConns() int {
	nofile, ok := openFileLimit()
	if !ok {
		return mostConns
	}
	return maxConnsWithin(nofile, runtime.GOMAXPROCS(0))
}

// maxConnsWithin is how many connections fit under an open-file limit of
// nofile on procs CPUs. Beside its connections the process keeps 64
// descriptors for the standard streams, the listener, the poller, the chat
// platforms' clients and the files it reads, and twice go-redis's pool of
// 10 a CPU: the embedded Redis serves those clients from the same process.
func maxConnsWithin(nofile uint64, procs int) int {
	reserve := uint64(64 + 2*10*procs)
	if nofile < reserve+fewestConns {
		return fewestConns
	}
	return int(min(nofile-reserve, mostConns))
}
