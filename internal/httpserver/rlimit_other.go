//go:build !unix

package httpserver

// openFileLimit reports no limit where descriptors are not counted against
// one.
func openFileLimit() (uint64, bool) { return 0, false }
