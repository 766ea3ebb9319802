package surveys

import (
	"testing"

	"github.com/vard-kommun/vard/internal/web/webtest"
)

// TestPagesAreTranslated checks that every Swedish text of the respondent's pages, and every message
// they may show, has an English entry.
func TestPagesAreTranslated(t *testing.T) {
	en := english()
	for _, part := range []map[string]string{englishAdmin(), englishResults()} {
		for k, v := range part {
			en[k] = v
		}
	}
	texts := webtest.TemplateTexts(t, templates, "templates/*.html")
	if len(texts) < 15 {
		t.Fatalf("found %d texts in the templates, want them all", len(texts))
	}
	texts = append(texts, sayLikertLow, sayLikertHigh, sayDontKnow, sayNoAnswer, hintMultiple, hintScale, msgDraftSaved,
		ErrRoundClosed.Message, ErrInvitationUsed.Message, ErrBadLink.Message, ErrIdempotencyKey.Message, ErrNotYetOpen.Message,
		errUnknownQuestion, msgNotANumber, msgOneAnswer)
	for _, s := range texts {
		if _, ok := en[s]; !ok {
			t.Errorf("no English for %q", s)
		}
	}
}
