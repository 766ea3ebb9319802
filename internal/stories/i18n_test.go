package stories

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/vard-kommun/vard/internal/web"
)

// TestPagesAreTranslated checks that every Swedish text the stories pages show has an English entry, so
// that a page in English is never half Swedish.
func TestPagesAreTranslated(t *testing.T) {
	c := &web.Catalog{}
	c.Add(english)
	var texts []string
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`\.T "([^"]+)"`),
		regexp.MustCompile(`input \$ "[^"]+" "([^"]+)" "([^"]*)"`),
	} {
		files, _ := fs.Glob(templates, "templates/*")
		for _, f := range files {
			b, err := fs.ReadFile(templates, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				for _, s := range m[1:] {
					if s != "" {
						texts = append(texts, s)
					}
				}
			}
		}
	}
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
