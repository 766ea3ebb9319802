package stories

import (
	"regexp"
	"testing"

	"github.com/vard-kommun/vard/internal/web"
	"github.com/vard-kommun/vard/internal/web/webtest"
)

// TestPagesAreTranslated checks that every Swedish text the stories pages show has an English entry, so
// that a page in English is never half Swedish.
func TestPagesAreTranslated(t *testing.T) {
	c := &web.Catalog{}
	c.Add(english)
	texts := webtest.TemplateTexts(t, templates, "templates/*", regexp.MustCompile(`input \$ "[^"]+" "([^"]+)" "([^"]*)"`))
	for _, k := range Kinds {
		texts = append(texts, k.Label())
	}
	for _, c := range Credits {
		texts = append(texts, c.Label())
	}
	for _, s := range []Status{StatusPending, StatusChangesRequested, StatusApproved, StatusRejected, StatusWithdrawn} {
		texts = append(texts, s.Label())
	}
	for _, cs := range []Consent{ConsentNone, ConsentPending, ConsentGiven, ConsentRefused} {
		texts = append(texts, cs.Label())
		for _, public := range []bool{false, true} {
			st := &Story{Status: StatusApproved, Consent: cs, Public: public}
			texts = append(texts, st.State())
		}
	}
	texts = append(texts, ErrImageTooLarge.Error(), ErrNotImage.Error(), ErrImageDimensions.Error(), ErrChanged.Message,
		errFormTooLarge.Message, errNotEditable.Message, errAPINotFound.Message)
	for _, max := range []int{MaxTitle, MaxBody, MaxAlt, MaxNote, 200} {
		texts = append(texts, checkText(string(make([]rune, max+1)), max, false, false))
	}
	for _, text := range texts {
		if !c.Has(text) {
			t.Errorf("no English for %q", text)
		}
	}
}
