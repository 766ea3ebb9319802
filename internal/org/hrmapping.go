package org

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Field is a column of the organisation import that a file column can be mapped to.
type Field string

// The fields of the organisation import.
const (
	FieldEmployeeID Field = "employee_id" // anställningsnummer, required
	FieldGivenName  Field = "given_name"  // förnamn, required
	FieldFamilyName Field = "family_name" // efternamn, required
	FieldEmail      Field = "email"
	FieldTitle      Field = "title"      // befattning
	FieldDepartment Field = "department" // förvaltning, required
	FieldUnit       Field = "unit"       // enhet
	FieldTeam       Field = "team"       // arbetslag
	FieldRoles      Field = "roles"      // e.g. "chef, facklig företrädare"
	FieldManagerOf  Field = "manager_of" // "ja"/"x"/"1" when the person is chef for the lowest unit on the row
)

// Fields lists every field in display order.
var Fields = slices.Clone(hrFieldOrder[:])

// hrFieldOrder is Fields as an array, which ReadRow indexes; the functions here use it rather than Fields,
// so that a caller changing Fields cannot break them.
var hrFieldOrder = [...]Field{
	FieldEmployeeID, FieldGivenName, FieldFamilyName, FieldEmail, FieldTitle,
	FieldDepartment, FieldUnit, FieldTeam, FieldRoles, FieldManagerOf,
}

// Required reports whether an import cannot run without this field mapped.
func (f Field) Required() bool {
	switch f {
	case FieldEmployeeID, FieldGivenName, FieldFamilyName, FieldDepartment:
		return true
	}
	return false
}

// hrFieldLabel is the Swedish name of a field as the import form shows it, in lower case.
func hrFieldLabel(f Field) string {
	switch f {
	case FieldEmployeeID:
		return "anställningsnummer"
	case FieldGivenName:
		return "förnamn"
	case FieldFamilyName:
		return "efternamn"
	case FieldEmail:
		return "e-post"
	case FieldTitle:
		return "befattning"
	case FieldDepartment:
		return "förvaltning"
	case FieldUnit:
		return "enhet"
	case FieldTeam:
		return "arbetslag"
	case FieldRoles:
		return "roller"
	case FieldManagerOf:
		return "chef för enheten"
	}
	return string(f)
}

// hrFieldTitle is hrFieldLabel with a capital first letter, to start a sentence.
func hrFieldTitle(f Field) string {
	s := hrFieldLabel(f)
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Mapping maps a field to a zero-based column index in the file.
type Mapping map[Field]int

// hrHeaderNames lists, per field, header names as HR systems and Excel users write them, normalised by
// hrNormHeader, best first. "Personnummer" is left out on purpose: it is not an employee number, and Värd
// should not store it by accident.
var hrHeaderNames = map[Field][]string{
	FieldEmployeeID: {"anstnr", "anstallningsnummer", "anstallningsnr", "anstallningsid", "anstid",
		"personalnummer", "personalnr", "medarbetarnummer", "medarbetarnr", "medarbetarid",
		"employeeid", "employeenumber", "id"},
	FieldGivenName:  {"fornamn", "tilltalsnamn", "givenname", "firstname"},
	FieldFamilyName: {"efternamn", "familjenamn", "familyname", "lastname", "surname"},
	FieldEmail: {"epost", "epostadress", "mail", "mailadress", "email", "emailadress", "mejl",
		"mejladress", "epostarbete", "arbetsepost", "arbetsmail"},
	FieldTitle: {"befattning", "befattningsbenamning", "befattningsnamn", "titel", "yrkestitel",
		"tjanstetitel", "title", "jobtitle"},
	FieldDepartment: {"forvaltning", "forvaltningsnamn", "department"},
	FieldUnit: {"enhet", "enhetsnamn", "avdelning", "avdelningsnamn", "organisationsenhet", "orgenhet",
		"resultatenhet", "arbetsplats", "unit"},
	FieldTeam:      {"arbetslag", "arbetsgrupp", "team", "grupp"},
	FieldRoles:     {"roll", "roller", "role", "roles"},
	FieldManagerOf: {"chef", "archef", "chefjanej", "chefjn", "managerof"},
}

// hrNotThisField marks headers that start like a field's name but hold something else: a code
// ("Förvaltningskod"), a manager's name ("Enhetschef") or a private address ("E-post privat").
var hrNotThisField = []string{"kod", "id", "nr", "nummer", "chef", "privat", "hem"}

// hrNormHeader folds a header for matching: lower case, accents removed, only letters and digits kept, so
// that "Anst.nr", "ANST NR" and "anst_nr" all become "anstnr".
func hrNormHeader(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// GuessMapping proposes a mapping from header names, as Visma, Heroma and Swedish Excel users name them
// ("Anst.nr", "Anställningsnummer", "Personalnummer", "Förnamn", "Efternamn", "E-post", "Epost", "Mail",
// "Befattning", "Titel", "Förvaltning", "Enhet", "Avdelning", "Arbetslag", "Arbetsgrupp", "Roll", "Chef" ...),
// case-, whitespace- and accent-insensitive. Exact names win over names that only begin like one
// ("Förnamn (tilltal)"); no column is proposed for two fields; fields without a match are left out.
func GuessMapping(header []string) Mapping {
	normed := make([]string, len(header))
	for i, h := range header {
		normed[i] = hrNormHeader(h)
	}
	m := Mapping{}
	used := make([]bool, len(header))
	take := func(f Field, col int) {
		m[f] = col
		used[col] = true
	}
	for _, f := range hrFieldOrder {
	names:
		for _, name := range hrHeaderNames[f] {
			for col, h := range normed {
				if !used[col] && h == name {
					take(f, col)
					break names
				}
			}
		}
	}
	for _, f := range hrFieldOrder {
		if _, ok := m[f]; ok || f == FieldManagerOf {
			continue // "Chef..." headers too often hold the manager's name to guess from a prefix.
		}
	cols:
		for col, h := range normed {
			if used[col] {
				continue
			}
			for _, name := range hrHeaderNames[f] {
				if len(name) < 4 || !strings.HasPrefix(h, name) {
					continue
				}
				rest := h[len(name):]
				if slices.ContainsFunc(hrNotThisField, func(w string) bool { return strings.Contains(rest, w) }) {
					continue
				}
				take(f, col)
				break cols
			}
		}
	}
	return m
}

// Validate returns a Swedish error message naming the first required field that is unmapped or mapped to a
// column outside the header, or a column mapped twice. Fields are checked in display order.
func (m Mapping) Validate(header []string) error {
	used := make(map[int]Field, len(m))
	for _, f := range hrFieldOrder {
		col, ok := m[f]
		if !ok {
			if f.Required() {
				return fmt.Errorf("Välj vilken kolumn som innehåller %s.", hrFieldLabel(f))
			}
			continue
		}
		if col < 0 || col >= len(header) {
			return fmt.Errorf("Kolumnen för %s finns inte i filen.", hrFieldLabel(f))
		}
		if other, dup := used[col]; dup {
			return fmt.Errorf("%s är vald för både %s och %s. Välj en kolumn för varje.",
				hrColumnName(header, col), hrFieldLabel(other), hrFieldLabel(f))
		}
		used[col] = f
	}
	var unknown []string
	for f := range m {
		if !slices.Contains(hrFieldOrder[:], f) {
			unknown = append(unknown, string(f))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("Okänt fält ”%s” i kolumnvalet.", unknown[0])
	}
	return nil
}

// hrColumnName names a column for a message: "Kolumn 3 (”Enhet”)".
func hrColumnName(header []string, col int) string {
	if col >= 0 && col < len(header) && header[col] != "" {
		return fmt.Sprintf("Kolumn %d (”%s”)", col+1, header[col])
	}
	return fmt.Sprintf("Kolumn %d", col+1)
}

// HRRow is one row read through a mapping.
type HRRow struct {
	Line       int // 1-based line in the file, as Next returned it
	EmployeeID string
	GivenName  string
	FamilyName string
	Email      string
	Title      string
	Department string
	Unit       string
	Team       string
	Roles      []Role // in file order, without repeats; nil when none
	ManagerOf  bool   // chef for the lowest unit on the row
}

// hrMaxFieldRunes is the longest value any field may have.
const hrMaxFieldRunes = 200

// hrRoleWords maps role words, folded by hrFoldWords, to roles. Värd's own role codes are accepted too,
// so that a file exported from Värd can be imported again.
var hrRoleWords = map[string]Role{
	"kommunadmin":         RoleAdmin,
	"admin":               RoleAdmin,
	"chef":                RoleManager,
	"enhetschef":          RoleManager,
	"forvaltningschef":    RoleManager,
	"avdelningschef":      RoleManager,
	"verksamhetschef":     RoleManager,
	"manager":             RoleManager,
	"facklig foretradare": RoleUnionRep,
	"facklig":             RoleUnionRep,
	"fackligt ombud":      RoleUnionRep,
	"union_rep":           RoleUnionRep,
	"vardskapstranare":    RoleTrainer,
	"tranare":             RoleTrainer,
	"trainer":             RoleTrainer,
	"mentor":              RoleMentor,
	"politiker":           RolePolitician,
	"namndordforande":     RolePolitician,
	"politician":          RolePolitician,
	"kommunikator":        RoleCommunicator,
	"communicator":        RoleCommunicator,
}

// hrYes and hrNo are the values of the manager_of column, folded by hrFoldWords.
var (
	hrYes = []string{"ja", "j", "x", "1", "yes", "y", "true", "sant", "chef"}
	hrNo  = []string{"", "nej", "n", "0", "no", "false", "falskt", "-"}
)

// hrFoldWords lowers s, removes accents and collapses whitespace: "Facklig  Företrädare" becomes
// "facklig foretradare".
func hrFoldWords(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// ReadRow applies the mapping to a raw row and validates it, returning Swedish messages for each problem in
// the row (missing employee id, name or department, invalid e-mail, unknown role word or chef value,
// a field over 200 characters, control or invisible characters, signs of a wrong character encoding). The
// messages do not repeat the line number. Columns outside the row read as empty.
func (m Mapping) ReadRow(row []string, line int) (HRRow, []string) {
	var values [len(hrFieldOrder)]string
	for i, f := range hrFieldOrder {
		if col, ok := m[f]; ok && col >= 0 && col < len(row) {
			values[i] = strings.TrimSpace(row[col])
		}
	}
	r := HRRow{
		Line: line, EmployeeID: values[0], GivenName: values[1], FamilyName: values[2], Email: values[3],
		Title: values[4], Department: values[5], Unit: values[6], Team: values[7],
	}
	var problems []string
	for i, f := range hrFieldOrder {
		v := values[i]
		if v == "" {
			if f.Required() {
				problems = append(problems, hrFieldTitle(f)+" saknas.")
			}
			continue
		}
		if n := utf8.RuneCountInString(v); n > hrMaxFieldRunes {
			problems = append(problems, fmt.Sprintf("%s har %d tecken; högst %d är tillåtna.", hrFieldTitle(f), n, hrMaxFieldRunes))
			continue
		}
		if hidden, misencoded := hrScanChars(v); hidden {
			problems = append(problems, hrFieldTitle(f)+" innehåller otillåtna tecken, till exempel radbrytning, tabb eller osynliga styrtecken.")
			continue
		} else if misencoded {
			problems = append(problems, hrFieldTitle(f)+" innehåller felkodade tecken (som ”Ã¶” eller ”�”). Spara filen som ”CSV UTF-8” och försök igen.")
			continue
		}
		switch f {
		case FieldEmail:
			if !hrValidEmail(v) {
				problems = append(problems, fmt.Sprintf("E-postadressen ”%s” är inte giltig.", v))
			}
		case FieldRoles:
			for part := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ',' || r == ';' || r == '/' }) {
				word := hrFoldWords(part)
				if word == "" {
					continue
				}
				role, ok := hrRoleWords[word]
				if !ok {
					problems = append(problems, fmt.Sprintf("Okänd roll ”%s”. Kända roller är kommunadmin, chef, facklig företrädare, värdskapstränare, mentor, politiker och kommunikatör.", strings.TrimSpace(part)))
				} else if !slices.Contains(r.Roles, role) {
					r.Roles = append(r.Roles, role)
				}
			}
		case FieldManagerOf:
			word := hrFoldWords(v)
			switch {
			case slices.Contains(hrYes, word):
				r.ManagerOf = true
			case !slices.Contains(hrNo, word):
				problems = append(problems, fmt.Sprintf("Chef för enheten har värdet ”%s”; skriv ”ja”, ”x” eller ”1” för chefer och lämna tomt för övriga.", v))
			}
		}
	}
	return r, problems
}

// hrScanChars reports control characters (line breaks, tabs) and invisible formatting characters
// (zero-width spaces, bidirectional overrides, soft hyphens), none of which belong in a name or an address;
// and signs that the file was decoded with the wrong encoding before it reached us: the replacement
// character, or "Ã" followed by the second half of a UTF-8 å, ä, ö, Å, Ä, Ö or é read as Windows-1252.
func hrScanChars(s string) (hidden, misencoded bool) {
	prev := rune(0)
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			hidden = hidden || b < 0x20 || b == 0x7f
			prev = rune(b)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		hidden = hidden || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
		misencoded = misencoded || r == utf8.RuneError || prev == 'Ã' && strings.ContainsRune("¥¤¶…„–©", r)
		prev = r
		i += n
	}
	return hidden, misencoded
}

// hrValidEmail accepts a plain address such as anna.svensson@kommun.se: no display name or angle
// brackets, a dot-atom local part, and a domain of at least two labels of letters, digits and hyphens.
// Letters outside ASCII are allowed (internationalised addresses).
func hrValidEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || len(s) > 254 || local == "" || len(local) > 64 || !strings.Contains(domain, ".") {
		return false
	}
	for label := range strings.SplitSeq(local, ".") {
		if label == "" || strings.ContainsFunc(label, func(r rune) bool {
			return r < utf8.RuneSelf && !hrIsAlnum(r) && !strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
		}) {
			return false
		}
	}
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' ||
			strings.ContainsFunc(label, func(r rune) bool {
				return r < utf8.RuneSelf && !hrIsAlnum(r) && r != '-' || r >= utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
			}) {
			return false
		}
	}
	return true
}

func hrIsAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
