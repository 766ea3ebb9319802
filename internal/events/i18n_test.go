package events

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vard-kommun/vard/internal/web"
	"github.com/vard-kommun/vard/internal/web/webtest"
)

// eventTemplates are this file's pages; checkin_* and groups* have their own catalogue tests.
var eventTemplates = []string{"list", "form", "confirm", "event", "agenda_item", "invitees", "send", "attendance", "answer"}

// TestPagesAreTranslated checks that every Swedish text the events pages show has an English entry, so
// that a page in English is never half Swedish.
func TestPagesAreTranslated(t *testing.T) {
	c := &web.Catalog{}
	c.Add(english())
	c.Add(englishDoor()) // the event page's door staff section
	var texts []string
	for _, name := range eventTemplates {
		texts = append(texts, webtest.TemplateTexts(t, templates, "templates/"+name+".html")...)
	}
	texts = append(texts, webtest.TemplateTexts(t, templates, "templates/*.tmpl")...)
	for _, k := range Kinds {
		texts = append(texts, k.Label())
	}
	for _, s := range Statuses {
		texts = append(texts, s.Label())
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, e := range []*Event{{CancelledAt: &now}, {EndsAt: now.Add(-time.Hour)}, {StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}, {StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)}} {
		texts = append(texts, stateOf(e, now))
	}
	for _, max := range []int{MaxTitle, MaxDescription, MaxPlace, MaxAgendaTitle, MaxSpeakerName, MaxOrganisation, MaxDiet, MaxAccessibility} {
		texts = append(texts, checkText(strings.Repeat("x", max+1), max, false))
	}
	texts = append(texts, checkText("", 1, true), checkText("a\x00", 10, false), Gone().Message)
	// the messages of the forms, whichever field they land on
	errs := map[string]string{}
	(&EventInput{Kind: "x", Capacity: -1, GroupSize: 9, GuestRetentionDays: -1}).Validate(errs)
	start := now
	deadline := now.Add(time.Hour)
	(&EventInput{StartsAt: start, EndsAt: start.Add(-time.Hour), RSVPDeadline: &deadline}).Validate(errs)
	(&EventInput{StartsAt: start, EndsAt: start.Add(30 * 24 * time.Hour)}).Validate(errs)
	for _, f := range []eventForm{
		{StartsDate: "x", StartsTime: "x", EndsTime: "x", Capacity: "x", DeadlineTime: "09:00"},
		{StartsDate: "2026-05-01", StartsTime: "9", DeadlineDate: "x"},
		{},
	} {
		m := map[string]string{}
		f.input(m)
		for _, v := range m {
			texts = append(texts, v)
		}
	}
	for _, v := range errs {
		texts = append(texts, v)
	}
	for _, a := range []Answer{{Status: "x", Diet: strings.Repeat("x", MaxDiet+1)}} {
		for _, v := range CheckAnswer(&a) {
			texts = append(texts, v)
		}
	}
	texts = append(texts, "Lägg till högst "+strconv.Itoa(MaxGuestLines)+" gäster åt gången.")
	for _, text := range texts {
		if !c.Has(text) {
			t.Errorf("no English for %q", text)
		}
	}
}
