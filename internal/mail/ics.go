package mail

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is a calendar invitation, as ICS writes it.
type Event struct {
	UID            string // stable across updates of the same event, e.g. "event-42@vard.example.se"
	Sequence       int    // raised on each update, so that calendars replace the earlier version
	Start, End     time.Time
	Summary        string
	Location       string
	Description    string
	OrganizerName  string
	OrganizerEmail string
	AttendeeEmail  string    // optional; Outlook shows a REQUEST without one as a plain appointment
	Stamp          time.Time // DTSTAMP, when the invitation was made; pass the clock's now
}

// ICSContentType is the content type for an ICS attachment.
const ICSContentType = "text/calendar; charset=utf-8; method=REQUEST"

// ICS writes e as an RFC 5545 calendar with one VEVENT and METHOD:REQUEST, times in UTC.
func ICS(e Event) []byte {
	var b strings.Builder
	line := func(s string) { fold(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Värd//Värd//SV")
	line("CALSCALE:GREGORIAN")
	line("METHOD:REQUEST")
	line("BEGIN:VEVENT")
	line("UID:" + escapeText(e.UID))
	line("SEQUENCE:" + strconv.Itoa(e.Sequence))
	line("DTSTAMP:" + utc(e.Stamp))
	line("DTSTART:" + utc(e.Start))
	line("DTEND:" + utc(e.End))
	line("SUMMARY:" + escapeText(e.Summary))
	if e.Location != "" {
		line("LOCATION:" + escapeText(e.Location))
	}
	if e.Description != "" {
		line("DESCRIPTION:" + escapeText(e.Description))
	}
	if e.OrganizerEmail != "" {
		line("ORGANIZER;CN=" + paramValue(e.OrganizerName) + ":mailto:" + e.OrganizerEmail)
	}
	if e.AttendeeEmail != "" {
		line("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:" + e.AttendeeEmail)
	}
	line("STATUS:CONFIRMED")
	line("END:VEVENT")
	line("END:VCALENDAR")
	return []byte(b.String())
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// paramValue quotes a parameter value when it holds a character that would end it; a double quote
// cannot appear in one at all (RFC 5545 3.2), so it is dropped, as are line breaks.
func paramValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '"' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
	if strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// fold writes one content line, folded so that no line is longer than 75 octets (RFC 5545 3.1), never
// inside a UTF-8 sequence, which would make both halves invalid.
func fold(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space of a continuation line counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
