package surveys

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/vard-kommun/vard/internal/web"
)

// Messages of ParseSubmission besides those of Validate.
const (
	msgNotANumber = "Svaret kunde inte läsas. Välj ett av alternativen."
	msgOneAnswer  = "Frågan kan bara ha ett svar."
)

// ParseSubmission reads the answers a survey form posts: field "q<question id>" with the chosen value
// (a scale value or an option index; several fields for multiple choice) or the free text. An empty field
// is an unanswered question (for HME, vet ej); fields that name no question are ignored. The answers are
// checked by Validate; every error is a web.Invalid with a Swedish message per question.
func ParseSubmission(sv *Survey, form url.Values) ([]Answer, error) {
	var answers []Answer
	errs := map[string]string{}
	for _, q := range sv.Questions {
		field := "q" + strconv.FormatInt(q.ID, 10)
		var raw []string
		for _, v := range form[field] {
			if strings.TrimSpace(v) != "" {
				raw = append(raw, v)
			}
		}
		if len(raw) == 0 {
			continue
		}
		a := Answer{QuestionID: q.ID}
		switch q.Type {
		case Text:
			if len(raw) > 1 {
				errs[field] = msgOneAnswer
				continue
			}
			a.Text = strings.TrimSpace(raw[0])
		default:
			if q.Type != Multiple && len(raw) > 1 {
				errs[field] = msgOneAnswer
				continue
			}
			if len(raw) > len(q.Options)+11 {
				errs[field] = msgOneAnswer
				continue
			}
			for _, s := range raw {
				v, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil {
					errs[field] = msgNotANumber
					break
				}
				a.Values = append(a.Values, v)
			}
			if errs[field] != "" {
				continue
			}
		}
		answers = append(answers, a)
	}
	err := Validate(sv, answers)
	if e, ok := err.(*web.Error); ok {
		for k, v := range e.Fields {
			if _, done := errs[k]; !done {
				errs[k] = v
			}
		}
	} else if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}
	return answers, nil
}
