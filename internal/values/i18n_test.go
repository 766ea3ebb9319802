package values

import (
	"testing"

	"github.com/vard-kommun/vard/internal/web/webtest"
)

// TestPagesAreTranslated checks that every Swedish text of the värdegrund's pages has an English entry,
// so that a page in English is never half Swedish.
func TestPagesAreTranslated(t *testing.T) {
	en := english()
	texts := append(webtest.TemplateTexts(t, templates, "templates/*.html"), webtest.TemplateTexts(t, templates, "templates/partials/*.html")...)
	if len(texts) < 50 {
		t.Fatalf("found %d texts in the templates, want them all", len(texts))
	}
	for _, s := range []Status{StatusDraft, StatusAdopted, StatusReplaced} {
		texts = append(texts, s.Label())
	}
	for _, c := range []Change{Same, Added, Removed, Changed} {
		texts = append(texts, c.Label())
	}
	for _, u := range Units {
		texts = append(texts, u.Label(), u.labelFor(1), u.labelFor(2))
	}
	texts = append(texts, "Ett nytt utkast är skapat.", "Utkastet är sparat.", "Värdegrunden är antagen och gäller nu.", "Utkastet är borttaget.",
		ErrDraftExists.Message, errNotDraft.Message, errNothingToAdopt.Message, errNotFound.Message, errAPINoValues.Message,
		msgTooLong(maxWordNameLen), msgTooLong(maxCodeLen), msgTargetValue, msgBeforeCurrent)
	for _, s := range texts {
		if _, ok := en[s]; !ok {
			t.Errorf("no English for %q", s)
		}
	}
}
