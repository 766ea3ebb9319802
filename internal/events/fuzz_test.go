package events

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseGuests: whatever is pasted into the guests box, the parser answers with guests it can mail or
// with a message, never both, never a panic.
func FuzzParseGuests(f *testing.F) {
	for _, s := range []string{
		"Anna Ek <anna@foretag.se>\nbo@foretag.se",
		"\"Ek, Anna\" <ANNA@Foretag.se>\r\nanna@foretag.se",
		"Anna <anna@foretag>", "<>", "a@b.c\n\n\n", "Åsa Öberg <åsa@företag.se>", "=?utf-8?q?=C3=85sa?= <a@b.se>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		guests, msg := ParseGuests(text)
		if msg != "" {
			if guests != nil {
				t.Fatalf("both guests and the message %q", msg)
			}
			return
		}
		if len(guests) > MaxGuestLines {
			t.Fatalf("%d guests, more than %d", len(guests), MaxGuestLines)
		}
		seen := map[string]bool{}
		for _, g := range guests {
			switch {
			case g.Email == "" || !strings.Contains(g.Email, "@") || g.Email != strings.ToLower(g.Email):
				t.Fatalf("bad address %q", g.Email)
			case seen[g.Email]:
				t.Fatalf("%q twice", g.Email)
			case g.Name == "" || !utf8.ValidString(g.Name):
				t.Fatalf("bad name %q", g.Name)
			}
			seen[g.Email] = true
		}
	})
}

// FuzzDoorCode: what a door types or scans becomes a code the same way every time.
func FuzzDoorCode(f *testing.F) {
	for _, s := range []string{"k7pm 4xq2", "https://vard.example/inbjudan/abc?kod=K7PM-4XQ2", "///", "=", " - "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := doorCode(s)
		if doorCode(c) != c {
			t.Fatalf("doorCode(%q) = %q, but doorCode(%q) = %q", s, c, c, doorCode(c))
		}
		if strings.ContainsAny(c, " -/") {
			t.Fatalf("doorCode(%q) = %q keeps a separator", s, c)
		}
	})
}
