package web

import (
	"errors"
	"net/http/httptest"
	"testing"
)

func TestQuery(t *testing.T) {
	tests := []struct {
		name, query string
		wantBad     []string
	}{
		{"good", "?limit=10&offset=20&unit_id=3&all=true", nil},
		{"unknown parameter", "?limt=10", []string{"limt"}},
		{"repeated parameter", "?limit=1&limit=2", []string{"limit"}},
		{"limit out of range", "?limit=100000", []string{"limit"}},
		{"limit not a number", "?limit=abc", []string{"limit"}},
		{"negative offset", "?offset=-1", []string{"offset"}},
		{"id not positive", "?unit_id=0", []string{"unit_id"}},
		{"bad boolean", "?all=ja", []string{"all"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ReadQuery(httptest.NewRequest("GET", "/api/v1/x"+tt.query, nil), "limit", "offset", "unit_id", "all")
			if err != nil {
				t.Fatal(err)
			}
			q.Int("limit", 1, 500, 100)
			q.Offset()
			q.ID("unit_id")
			q.Bool("all")
			var e *Error
			err = q.Err()
			if len(tt.wantBad) == 0 {
				if err != nil {
					t.Errorf("got %v, want no error", err)
				}
				return
			}
			if !errors.As(err, &e) || e.Status != 400 {
				t.Fatalf("got %v, want a 400", err)
			}
			for _, name := range tt.wantBad {
				if e.Fields[name] == "" {
					t.Errorf("no message for %s in %v", name, e.Fields)
				}
			}
		})
	}
	if _, err := ReadQuery(httptest.NewRequest("GET", "/x?%zz", nil)); err == nil {
		t.Error("an unparsable query string was accepted")
	}
}
