package httpserver

import (
	"math"
	"testing"
)

func TestMaxConnsWithin(t *testing.T) {
	for _, tc := range []struct {
		name   string
		nofile uint64
		procs  int
		want   int
	}{
		{"Default1024On2CPUs", 1024, 2, 920},
		{"Default1024On8CPUs", 1024, 8, 800},
		{"TooFewForTheReserve", 100, 2, 64},
		{"JustAboveTheFloor", 104 + 65, 2, 65},
		{"Large", 1 << 20, 2, 4096},
		{"Unlimited", math.MaxUint64, 2, 4096},
		{"ManyCPUs", 1024, 64, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := maxConnsWithin(tc.nofile, tc.procs); got != tc.want {
				t.Errorf("maxConnsWithin(%d, %d) = %d, want %d", tc.nofile, tc.procs, got, tc.want)
			}
		})
	}
}

// TestDefaultMaxConnsFitsTheLimit: the bound this process would use leaves
// room under its own open-file limit.
func TestDefaultMaxConnsFitsTheLimit(t *testing.T) {
	nofile, ok := openFileLimit()
	if !ok {
		t.Skip("no open-file limit on this system")
	}
	if got := DefaultMaxConns(); got != fewestConns && uint64(got) >= nofile {
		t.Errorf("DefaultMaxConns() = %d with an open-file limit of %d", got, nofile)
	}
}
