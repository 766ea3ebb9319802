package surveys

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestPagesAreTranslated checks that every Swedish text of the respondent's pages, and every message
// they may show, has an English entry.
func TestPagesAreTranslated(t *testing.T) {
	en := english()
	var texts []string
	quoted := regexp.MustCompile(`\.T "([^"]+)"`)
	err := fs.WalkDir(templates, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates, path)
		for _, m := range quoted.FindAllStringSubmatch(string(b), -1) {
			texts = append(texts, m[1])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
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
