package events

import (
	"testing"

	"github.com/vard-kommun/vard/internal/web"
	"github.com/vard-kommun/vard/internal/web/webtest"
)

// TestFollowupPageIsTranslated checks that the follow-up page's texts and messages have English entries.
func TestFollowupPageIsTranslated(t *testing.T) {
	c := &web.Catalog{}
	c.Add(englishFollowup())
	texts := webtest.TemplateTexts(t, templates, "templates/followup*.html")
	texts = append(texts, ErrNotEnded.Message, ErrFollowupCancelled.Message, ErrNobodyToAsk.Message,
		"Ange en rubrik på högst 200 tecken.", "Välj en av kommunens enkäter.",
		"Enkäten har inga frågor ännu. Välj en annan eller skapa en ny från mallen.",
		"Kontrollera uppgifterna i formuläret.", "Uppföljningsfrågorna är skickade.",
		"Uppföljningsfrågorna var redan skickade. Ingen ny omgång har skapats.")
	for _, text := range texts {
		if !c.Has(text) {
			t.Errorf("no English for %q", text)
		}
	}
}
