package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/demo"
)

// BenchmarkOrgTreePage renders the organisation tree of the demo kommun (220 arbetslag, 1,400 people)
// for its kommunadmin, through the whole middleware chain.
func BenchmarkOrgTreePage(b *testing.B) {
	ctx := context.Background()
	a := newApp(b)
	tenantID, err := demo.Generate(ctx, a.DB, a.Org, a.Auth, demo.Options{Slug: "exempelby", Name: "Exempelby kommun", Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	adminID, err := a.Org.ActivePersonByEmail(ctx, tenantID, demo.Accounts[0].Email)
	if err != nil {
		b.Fatal(err)
	}
	token, err := a.Auth.NewSession(ctx, adminID, 0)
	if err != nil {
		b.Fatal(err)
	}
	cookie := &http.Cookie{Name: auth.SessionCookie, Value: token}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/organisation", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("got %d, want 200", rec.Code)
		}
	}
}
