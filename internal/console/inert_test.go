package console

import "testing"

func TestInert(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"two\nlines\tand a tab", "two\nlines\tand a tab"},
		{"\x1b[2J\x1b[Hcleared", "cleared"},
		{"\x1b[31mred\x1b[0m text", "red text"},
		{"\x1b]0;fake title\x07after", "after"},
		{"\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"\u009b31mC1 CSI", "C1 CSI"},
		{"bell\x07 and null\x00 and cr\r", "bell and null and cr"},
		{"lone escape at end\x1b", "lone escape at end"},
		{"Données · 日本 ✓", "Données · 日本 ✓"},
	} {
		if got := inert(tc.in); got != tc.want {
			t.Errorf("inert(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzInert(f *testing.F) {
	f.Add("\x1b[31mred")
	f.Add("\x1b]0;t\x07")
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range inert(s) {
			if r == 0x1b || r == 0x9b || r == 0x9d || r == '\r' || r == 0x07 {
				t.Fatalf("inert(%q) keeps %U", s, r)
			}
		}
	})
}
