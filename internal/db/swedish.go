package db

import "strings"

// SwedishStem returns the stem of a lower-case Swedish word by the Snowball Swedish algorithm
// (snowballstem.org/algorithms/swedish), the version PostgreSQL's swedish_stem dictionary uses, so that
// SQLite's full-text index finds what PostgreSQL's would.
func SwedishStem(word string) string {
	w := []rune(word)
	p1 := swedishR1(w)
	if p1 >= len(w) {
		return word
	}
	// Step 1: the main suffixes, or an s after a valid s-ending.
	if s := longestSuffix(w, p1, swedishStep1); s > 0 {
		w = w[:len(w)-s]
	} else if len(w)-1 >= p1 && w[len(w)-1] == 's' && len(w) >= 2 && strings.ContainsRune("bcdfghjklmnoprtvy", w[len(w)-2]) {
		w = w[:len(w)-1]
	}
	// Step 2: a double or paired consonant at the end loses its last letter.
	if longestSuffix(w, p1, swedishStep2) > 0 {
		w = w[:len(w)-1]
	}
	// Step 3: lig, ig, els go; löst and fullt are shortened.
	switch s := longestSuffix(w, p1, swedishStep3); {
	case s == 0:
	case hasSuffix(w, "löst"):
		w = w[:len(w)-1]
	case hasSuffix(w, "fullt"):
		w = w[:len(w)-1]
	default:
		w = w[:len(w)-s]
	}
	return string(w)
}

// swedishR1 is where R1 starts: after the first non-vowel that follows a vowel, but at least three letters
// into the word.
func swedishR1(w []rune) int {
	if len(w) < 3 {
		return len(w)
	}
	p := len(w)
	for i := 1; i < len(w); i++ {
		if isSwedishVowel(w[i-1]) && !isSwedishVowel(w[i]) {
			p = i + 1
			break
		}
	}
	return max(p, 3)
}

func isSwedishVowel(r rune) bool { return strings.ContainsRune("aeiouyäåö", r) }

// longestSuffix returns the length in letters of the longest suffix of w from the list that lies wholly
// in R1 (from p1), or 0.
func longestSuffix(w []rune, p1 int, list []string) int {
	best := 0
	for _, s := range list {
		n := len([]rune(s))
		if n > best && len(w)-n >= p1 && hasSuffix(w, s) {
			best = n
		}
	}
	return best
}

func hasSuffix(w []rune, s string) bool { return strings.HasSuffix(string(w), s) }

var (
	swedishStep1 = strings.Fields(`a arna erna heterna orna ad e ade ande arne are aste en anden aren heten ern ar er heter or
		as arnas ernas ornas es ades andes ens arens hetens erns at andet het ast`)
	swedishStep2 = strings.Fields("dd gd nn dt gt kt tt")
	swedishStep3 = strings.Fields("lig ig els löst fullt")
)

// swedishStopWords is PostgreSQL's swedish.stop (Snowball's Swedish stop word list).
var swedishStopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
		icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från ut när efter upp
		vi dem vara vad över än dig kan sina här ha mot alla under någon eller allt mycket sedan ju denna själv detta åt
		utan varit hur ingen mitt ni bli blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess
		inom mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra ert era vilkas`) {
		m[w] = true
	}
	return m
}()
