package surveys

import "testing"

// TestResultsTextsAreTranslated checks the texts the results pages make in Go rather than in templates.
func TestResultsTextsAreTranslated(t *testing.T) {
	en := englishResults()
	for _, s := range []string{msgPublished, msgUnpublished, msgBadAction, msgBadUnit, msgBadTextQ, labelKommun, labelNoUnit,
		labelN, labelInvited, labelRate, labelMotivation, labelLedarskap, labelStyrning, labelMean, "HME-index",
		"Medelvärde, alla påståenden", ErrBadFilter.Message, ErrNotCitizen.Message} {
		if _, ok := en[s]; !ok {
			t.Errorf("no English for %q", s)
		}
	}
}
