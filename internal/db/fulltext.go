package db

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// FullText is one table's Swedish full-text search. Both dialects search the same document, a text
// column the area fills (title and body, say), and both stem it the Swedish way, so that "mattorna"
// finds "mattor" and "matta":
//
//   - PostgreSQL through an expression index, to_tsvector('swedish', column), queried with
//     plainto_tsquery('swedish', …).
//   - SQLite has no Swedish stemmer, so Värd stems the words itself with the same Snowball algorithm
//     and stop words that PostgreSQL's swedish configuration uses, and keeps the stems in an FTS5 table
//     (one column, doc) whose rowid is the row's id. The area calls IndexText whenever the document
//     changes; on PostgreSQL that is a no-op.
//
// Every word of the query must occur (in some form); there is no query syntax, so a person's search box
// cannot produce an error.
type FullText struct {
	// Key is the row's id column as the query names it, e.g. "s.id".
	Key string
	// Column is the document column as the query names it, e.g. "s.search".
	Column string
	// Index is the SQLite FTS5 table, e.g. "stories_fts".
	Index string
}

// Match returns a WHERE condition that holds for rows whose document has every word of the query, with
// its argument for the placeholder $n. ok is false when the query is blank: then there is nothing to
// filter on.
func (d *DB) Match(ft FullText, n int, query string) (cond string, arg any, ok bool) {
	if strings.TrimSpace(query) == "" {
		return "", nil, false
	}
	if d.Dialect == Postgres {
		return fmt.Sprintf("to_tsvector('swedish', %s) @@ plainto_tsquery('swedish', $%d)", ft.Column, n), query, true
	}
	terms := SwedishTerms(query)
	if len(terms) == 0 {
		// Only stop words: PostgreSQL's empty tsquery matches nothing, and so does this.
		return fmt.Sprintf("$%d = 'never'", n), "", true
	}
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + t + `"` // terms hold only letters and digits, so no quote can end the phrase early
	}
	return fmt.Sprintf("%s IN (SELECT rowid FROM %s WHERE %s MATCH $%d)", ft.Key, ft.Index, ft.Index, n), strings.Join(quoted, " "), true
}

// IndexText stores the row's document in the SQLite index, replacing what was there; an empty document
// removes the row from the index. PostgreSQL's expression index follows the column by itself.
func (d *DB) IndexText(ctx context.Context, q Querier, ft FullText, id int64, doc string) error {
	if d.Dialect == Postgres {
		return nil
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM `+ft.Index+` WHERE rowid = $1`, id); err != nil {
		return err
	}
	terms := SwedishTerms(doc)
	if len(terms) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, `INSERT INTO `+ft.Index+` (rowid, doc) VALUES ($1, $2)`, id, strings.Join(terms, " "))
	return err
}

// SwedishTerms splits text into words (runs of letters and digits), lower-cases them, drops Swedish stop
// words and stems the rest, as PostgreSQL's swedish text search configuration does.
func SwedishTerms(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := words[:0]
	for _, w := range words {
		if swedishStopWords[w] {
			continue
		}
		out = append(out, SwedishStem(w))
	}
	return out
}
