package values

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DraftInput is a draft as a person writes it in the form. Rows stay in the order and at the index they
// had in the form, blank ones too, so that an error names the right row; a blank row is left out.
type DraftInput struct {
	Vision   string
	Code     string
	Words    []WordInput
	Promises []PromiseInput
}

// WordInput is one row of värdeord in the form. Key is empty for a new word; Behaviours holds one
// behaviour per line.
type WordInput struct {
	Key, Name, Meaning, Behaviours string
}

// Blank reports whether the row is empty and so left out.
func (w WordInput) Blank() bool {
	return strings.TrimSpace(w.Name+w.Meaning+w.Behaviours) == ""
}

// PromiseInput is one row of promises in the form. TargetValue is text as typed ("1", "2,5");
// TargetUnit is a Unit or empty for a promise without a measurable target.
type PromiseInput struct {
	Key, Text, TargetValue, TargetUnit, Measure string
}

// Blank reports whether the row is empty and so left out.
func (p PromiseInput) Blank() bool {
	return strings.TrimSpace(p.Text+p.TargetValue+p.TargetUnit+p.Measure) == ""
}

// The messages of the draft's and the adoption's validation.
var (
	msgRequired       = "Fältet måste fyllas i."
	msgControl        = "Texten innehåller otillåtna tecken."
	msgWordName       = "Ge värdeordet ett namn."
	msgWordTwice      = "Två värdeord kan inte heta likadant."
	msgTooManyWords   = "Värdegrunden kan ha högst " + strconv.Itoa(MaxWords) + " värdeord."
	msgTooManyProm    = "Servicedeklarationen kan ha högst " + strconv.Itoa(MaxPromises) + " löften."
	msgTooManyBeh     = "Ett värdeord kan ha högst " + strconv.Itoa(MaxBehaviours) + " beteenden."
	msgBehaviourLong  = "Varje beteende får vara högst " + strconv.Itoa(maxBehaviourLen) + " tecken."
	msgPromiseText    = "Skriv själva löftet."
	msgTargetNumber   = "Ange målvärdet som ett tal, till exempel 1 eller 2,5."
	msgTargetTooLarge = "Målvärdet är för stort."
	msgPercent        = "Ett mål i procent kan vara högst 100."
	msgTargetUnit     = "Välj vad målvärdet räknas i."
	msgTargetValue    = "Ange ett målvärde, eller välj ”Inget mätbart mål”."
	msgDate           = "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2024-03-18."
	msgFutureDate     = "Datumet kan inte ligga i framtiden."
	msgBeforeCurrent  = "Datumet kan inte vara tidigare än när den gällande värdegrunden antogs."
)

// textLimits are every length limit a message names, for the English catalogue.
var textLimits = []int{maxVisionLen, maxWordNameLen, maxMeaningLen, maxCodeLen, maxPromiseLen, maxMeasureLen, maxBodyLen, maxRegNumberLen}

func msgTooLong(max int) string { return "Texten får vara högst " + strconv.Itoa(max) + " tecken." }

// checkLine returns a message when a one-line text is missing, too long or holds control characters.
func checkLine(s string, max int, required bool) string {
	switch {
	case required && s == "":
		return msgRequired
	case !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0:
		return msgControl
	case utf8.RuneCountInString(s) > max:
		return msgTooLong(max)
	}
	return ""
}

// checkText is checkLine for a text of several lines: line breaks and tabs are allowed.
func checkText(s string, max int) string {
	bad := func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }
	switch {
	case !utf8.ValidString(s) || strings.IndexFunc(s, bad) >= 0:
		return msgControl
	case utf8.RuneCountInString(s) > max:
		return msgTooLong(max)
	}
	return ""
}

// tidy trims a text of several lines and makes every line break "\n".
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(strings.ReplaceAll(s, "\r", "\n"))
}

// clean validates the input for draft v and returns the content to store, or the errors by field
// ("vision", "word-2-name", "promise-0-target_value"). Keys the draft already holds are kept; any other
// row gets a new key.
func (in DraftInput) clean(v *Version) (*Version, map[string]string) {
	errs := map[string]string{}
	out := &Version{Vision: tidy(in.Vision), Code: tidy(in.Code)}
	if msg := checkText(out.Vision, maxVisionLen); msg != "" {
		errs["vision"] = msg
	}
	if msg := checkText(out.Code, maxCodeLen); msg != "" {
		errs["code"] = msg
	}

	known := map[string]bool{}
	for _, w := range v.Words {
		known[w.Key] = true
	}
	used := map[string]bool{}
	names := map[string]bool{}
	for i, w := range in.Words {
		if w.Blank() {
			continue
		}
		field := func(name string) string { return fmt.Sprintf("word-%d-%s", i, name) }
		word := VersionWord{Word: Word{Key: w.Key, Name: strings.TrimSpace(w.Name), Meaning: tidy(w.Meaning)}}
		if word.Name == "" {
			errs[field("name")] = msgWordName
		} else if msg := checkLine(word.Name, maxWordNameLen, true); msg != "" {
			errs[field("name")] = msg
		} else if folded := strings.ToLower(word.Name); names[folded] {
			errs[field("name")] = msgWordTwice
		} else {
			names[folded] = true
		}
		if msg := checkText(word.Meaning, maxMeaningLen); msg != "" {
			errs[field("meaning")] = msg
		}
		for _, line := range strings.Split(tidy(w.Behaviours), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				word.Behaviours = append(word.Behaviours, line)
			}
		}
		for _, b := range word.Behaviours {
			if msg := checkLine(b, maxBehaviourLen, false); msg != "" {
				if msg != msgControl {
					msg = msgBehaviourLong
				}
				errs[field("behaviours")] = msg
			}
		}
		if len(word.Behaviours) > MaxBehaviours {
			errs[field("behaviours")] = msgTooManyBeh
		}
		out.Words = append(out.Words, word)
	}
	if len(out.Words) > MaxWords {
		errs["words"] = msgTooManyWords
	}
	// Keys are given after the names are known, and kept keys first, so that a new word never takes
	// the key of one that stays.
	for i := range out.Words {
		if k := out.Words[i].Key; known[k] && !used[k] {
			used[k] = true
		} else {
			out.Words[i].Key = ""
		}
	}
	for i := range out.Words {
		if out.Words[i].Key == "" {
			out.Words[i].Key = uniqueKey(slug(out.Words[i].Name), used)
			used[out.Words[i].Key] = true
		}
	}

	knownPromises := map[string]bool{}
	for _, p := range v.Promises {
		knownPromises[p.Key] = true
	}
	usedPromises := map[string]bool{}
	for i, p := range in.Promises {
		if p.Blank() {
			continue
		}
		field := func(name string) string { return fmt.Sprintf("promise-%d-%s", i, name) }
		promise := Promise{Key: p.Key, Text: tidy(p.Text)}
		if promise.Text == "" {
			errs[field("text")] = msgPromiseText
		} else if msg := checkText(promise.Text, maxPromiseLen); msg != "" {
			errs[field("text")] = msg
		}
		if target, fe := cleanTarget(p); len(fe) > 0 {
			for k, msg := range fe {
				errs[field(k)] = msg
			}
		} else {
			promise.Target = target
		}
		if !knownPromises[promise.Key] || usedPromises[promise.Key] {
			promise.Key = randomKey()
		}
		usedPromises[promise.Key] = true
		out.Promises = append(out.Promises, promise)
	}
	if len(out.Promises) > MaxPromises {
		errs["promises"] = msgTooManyProm
	}
	return out, errs
}

// cleanTarget reads a promise's target: nil when the promise has none.
func cleanTarget(p PromiseInput) (*Target, map[string]string) {
	errs := map[string]string{}
	value := strings.TrimSpace(p.TargetValue)
	unit := Unit(strings.TrimSpace(p.TargetUnit))
	measure := tidy(p.Measure)
	if value == "" && unit == "" && measure == "" {
		return nil, nil
	}
	if msg := checkText(measure, maxMeasureLen); msg != "" {
		errs["measure"] = msg
	}
	if !unit.Valid() {
		errs["target_unit"] = msgTargetUnit
	}
	if value == "" {
		errs["target_value"] = msgTargetValue
		return nil, errs
	}
	n, err := parseNumber(value)
	switch {
	case err != nil:
		errs["target_value"] = msgTargetNumber
	case n > maxTargetValue:
		errs["target_value"] = msgTargetTooLarge
	case unit == UnitPercent && n > 100:
		errs["target_value"] = msgPercent
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &Target{Value: n, Unit: unit, Measure: measure}, nil
}

// parseNumber reads a non-negative number written the Swedish way ("2,5") or with a decimal point.
func parseNumber(s string) (float64, error) {
	s = strings.Replace(s, ",", ".", 1)
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseFloat(s, 64)
}

// slug makes a värdeord's key from its name: "Medkänsla" → "medkansla".
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch r {
		case 'å', 'ä', 'à', 'á', 'â':
			r = 'a'
		case 'ö', 'ø', 'ó', 'ô':
			r = 'o'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'ü', 'ú':
			r = 'u'
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= 30 {
			break
		}
	}
	if b.Len() == 0 {
		return "ord"
	}
	return b.String()
}

// uniqueKey returns key, or key-2, key-3 … when taken.
func uniqueKey(key string, used map[string]bool) string {
	if !used[key] {
		return key
	}
	for n := 2; ; n++ {
		if k := key + "-" + strconv.Itoa(n); !used[k] {
			return k
		}
	}
}
