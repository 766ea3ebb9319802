package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Query reads a JSON API list's query parameters, collecting a Swedish message per bad parameter, so
// that a misspelt or repeated filter is refused instead of silently ignored.
type Query struct {
	values url.Values
	errs   map[string]string
}

// ReadQuery parses the request's query string and records an error for every parameter not in allowed
// and every parameter given twice.
func ReadQuery(r *http.Request, allowed ...string) (*Query, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, BadRequest("Frågesträngen kunde inte läsas.")
	}
	q := &Query{values: v, errs: map[string]string{}}
	for name, vals := range v {
		switch {
		case !slices.Contains(allowed, name):
			if len(allowed) == 0 {
				q.errs[name] = "Okänd parameter. Listan har inga parametrar."
			} else {
				q.errs[name] = "Okänd parameter. Tillåtna: " + strings.Join(allowed, ", ") + "."
			}
		case len(vals) > 1:
			q.errs[name] = "Parametern får anges bara en gång."
		}
	}
	return q, nil
}

// Has reports whether the parameter is present.
func (q *Query) Has(name string) bool { return q.values.Has(name) }

// Get returns the parameter, trimmed.
func (q *Query) Get(name string) string { return strings.TrimSpace(q.values.Get(name)) }

// Int returns a whole number between min and max, or def when the parameter is absent or wrong.
func (q *Query) Int(name string, min, max, def int) int {
	s := q.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		q.errs[name] = "Ange ett heltal från " + strconv.Itoa(min) + " till " + strconv.Itoa(max) + "."
		return def
	}
	return n
}

// Offset returns the number of rows to skip, 0 when absent.
func (q *Query) Offset() int {
	s := q.Get("offset")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1_000_000_000 {
		q.errs["offset"] = "Ange ett heltal som är 0 eller större."
		return 0
	}
	return n
}

// ID returns a positive id, or 0 when the parameter is absent or wrong.
func (q *Query) ID(name string) int64 {
	s := q.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		q.errs[name] = "Ange ett id (ett positivt heltal)."
		return 0
	}
	return n
}

// Bool returns true for "true", false for "false" or absent, and records an error otherwise.
func (q *Query) Bool(name string) bool {
	switch q.Get(name) {
	case "", "false":
		return false
	case "true":
		return true
	}
	q.errs[name] = "Ange true eller false."
	return false
}

// Fail records an error for a parameter that the caller checked itself.
func (q *Query) Fail(name, msg string) { q.errs[name] = msg }

// Err returns a 400 with every bad parameter, or nil.
func (q *Query) Err() error {
	if len(q.errs) == 0 {
		return nil
	}
	return &Error{Status: http.StatusBadRequest, Message: "Ogiltiga parametrar i frågesträngen.", Fields: q.errs}
}

// NextLink returns the request's path and query with one parameter set and another removed: the link
// to the next page of a list with the same filters.
func NextLink(u *url.URL, set, value, remove string) string {
	q := u.Query()
	q.Set(set, value)
	if remove != "" {
		q.Del(remove)
	}
	return u.Path + "?" + q.Encode()
}
