package mail_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/mail"
)

func TestICS(t *testing.T) {
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	e := mail.Event{
		UID:            "event-42@vard.test",
		Start:          time.Date(2026, 3, 12, 9, 0, 0, 0, stockholm),
		End:            time.Date(2026, 3, 12, 12, 0, 0, 0, stockholm),
		Summary:        "Ledarforum; vår, sommar",
		Location:       "Stadshuset, sal 3",
		Description:    "Välkommen!\nTa med: penna; papper \\ block. " + strings.Repeat("Värdskap är ett förhållningssätt. ", 4),
		OrganizerName:  "HR, Värd kommun",
		OrganizerEmail: "hr@vard.test",
		Stamp:          time.Date(2026, 2, 1, 8, 30, 0, 0, time.UTC),
	}
	out := string(mail.ICS(e))

	t.Run("every line ends in CRLF and is at most 75 octets", func(t *testing.T) {
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatal("the calendar does not end in CRLF")
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Errorf("got a line of %d octets, want at most 75: %q", len(l), l)
			}
			if strings.ContainsAny(l, "\r\n") {
				t.Errorf("got a bare line break in %q", l)
			}
			if !utf8.ValidString(l) {
				t.Errorf("a fold split a character: %q", l)
			}
		}
	})

	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	props := map[string]string{}
	for _, l := range strings.Split(unfolded, "\r\n") {
		if name, value, ok := strings.Cut(l, ":"); ok {
			props[name] = value
		}
	}
	for _, c := range []struct{ name, want string }{
		{"METHOD", "REQUEST"},
		{"UID", "event-42@vard.test"},
		{"DTSTAMP", "20260201T083000Z"},
		{"DTSTART", "20260312T080000Z"}, // 09:00 CET
		{"DTEND", "20260312T110000Z"},
		{"SUMMARY", `Ledarforum\; vår\, sommar`},
		{"LOCATION", `Stadshuset\, sal 3`},
		{"DESCRIPTION", `Välkommen!\nTa med: penna\; papper \\ block. ` + strings.Repeat("Värdskap är ett förhållningssätt. ", 4)},
		{`ORGANIZER;CN="HR, Värd kommun"`, "mailto:hr@vard.test"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := props[c.name]; got != c.want {
				t.Errorf("got %s:%q, want %q", c.name, got, c.want)
			}
		})
	}
	t.Run("one event inside one calendar", func(t *testing.T) {
		if !strings.HasPrefix(unfolded, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") || !strings.HasSuffix(unfolded, "END:VEVENT\r\nEND:VCALENDAR\r\n") ||
			strings.Count(unfolded, "BEGIN:VEVENT") != 1 {
			t.Errorf("got a malformed calendar:\n%s", unfolded)
		}
	})
}
