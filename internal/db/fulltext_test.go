package db_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/db/dbtest"
)

// TestSwedishStemMatchesPostgres: the stems are the ones PostgreSQL 15's swedish_stem dictionary gives
// (ts_lexize('swedish_stem', word)), so that both dialects find the same stories.
func TestSwedishStemMatchesPostgres(t *testing.T) {
	for word, want := range map[string]string{
		"mattan": "mattan", "mattor": "matt", "mattorna": "matt", "matta": "matt", "röda": "röd", "elever": "elev",
		"välkomnades": "välkomn", "hemtjänsten": "hemtjänst", "samtalet": "samtalet", "receptionisten": "receptionist",
		"besökare": "besök", "besökaren": "besök", "hjälpte": "hjälpt", "friskt": "frisk", "fröknarnn": "fröknarn",
		"kärlekslöst": "kärlekslös", "fullt": "fullt", "vänlig": "vän", "vänliga": "vän", "tillsammans": "tillsamman",
		"engagemang": "engagemang", "tillit": "tillit", "medkänsla": "medkänsl", "drivkraft": "drivkraft",
		"kunderna": "kund", "skolans": "skolan", "barnens": "barn", "arbetslaget": "arbetslaget", "glädjen": "glädj",
		"ordningsvakt": "ordningsvak", "bemötande": "bemöt", "invånarna": "invån", "hus": "hus", "huset": "huset",
		"husets": "huset", "lärarnas": "lär", "kommunens": "kommun", "vägledde": "vägled", "personalen": "personal",
		"mötet": "mötet", "bra": "bra", "gästerna": "gäst", "ö": "ö",
	} {
		if got := db.SwedishStem(word); got != want {
			t.Errorf("SwedishStem(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestSwedishTermsDropStopWords(t *testing.T) {
	got := db.SwedishTerms("Nya elever välkomnades på RÖDA mattan, och <script>!")
	want := []string{"nya", "elev", "välkomn", "röd", "mattan", "script"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestMatchFindsSwedishForms runs the same searches on the dialect under test (SQLite, or PostgreSQL
// when VARD_TEST_POSTGRES is set) over a table of its own.
func TestMatchFindsSwedishForms(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	ft := db.FullText{Key: "d.id", Column: "d.search", Index: "docs_fts"}
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE docs (id INTEGER PRIMARY KEY, search TEXT NOT NULL)`); err != nil {
			return err
		}
		if d.Dialect == db.SQLite {
			if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE docs_fts USING fts5(doc, tokenize = 'unicode61 remove_diacritics 0')`); err != nil {
				return err
			}
		}
		for id, text := range map[int64]string{
			1: "Nya elever välkomnades på röda mattan",
			2: "Hemtjänsten hjälpte fru Ek med mattorna",
			3: "Receptionisten följde besökaren till rätt rum",
		} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO docs (id, search) VALUES ($1, $2)`, id, text); err != nil {
				return err
			}
			if err := d.IndexText(ctx, tx, ft, id, text); err != nil {
				return err
			}
		}
		return d.IndexText(ctx, tx, ft, 3, "Receptionisten följde besökaren till rätt rum") // reindexing replaces
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		query string
		want  []int64
	}{
		{"mattan", []int64{1}},
		{"MATTAN", []int64{1}},
		{"matta", []int64{2}}, // matta and mattorna share the stem matt; mattan keeps its own
		{"röd matta", nil},
		{"röd mattan", []int64{1}},
		{"hemtjänst", []int64{2}},
		{"besökare receptionist", []int64{3}},
		{"och på", nil},
		{`"mattan" -röda (`, []int64{1}}, // no query syntax: punctuation is not an operator
		{"  ", []int64{1, 2, 3}},
	} {
		cond, arg, ok := d.Match(ft, 1, tt.query)
		query, args := `SELECT d.id FROM docs d ORDER BY d.id`, []any{}
		if ok {
			query, args = `SELECT d.id FROM docs d WHERE `+cond+` ORDER BY d.id`, []any{arg}
		}
		rows, err := d.Read().QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatalf("search %q: %v", tt.query, err)
		}
		var got []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			got = append(got, id)
		}
		rows.Close()
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q on %s: got %v, want %v", tt.query, d.Dialect, got, tt.want)
		}
	}
}
