package demo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/vard-kommun/vard/internal/demo"
	"github.com/vard-kommun/vard/internal/values"
)

// TestGenerateAdoptsAValues: the demo kommun has a värdegrund in force and an older one, also when it
// was generated before the värdegrund existed.
func TestGenerateAdoptsAValues(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	tenantID := e.generate(t, demo.Options{})
	svc := values.NewService(e.db, e.org)
	check := func(t *testing.T) {
		t.Helper()
		words, err := svc.Words(ctx, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, w := range words {
			names = append(names, w.Name)
		}
		if !slices.Equal(names, []string{"Tillsammans", "Drivkraft", "Medkänsla"}) {
			t.Errorf("got värdeord %v, want Tillsammans, Drivkraft, Medkänsla", names)
		}
		if list, _ := svc.Versions(ctx, tenantID); len(list) != 2 {
			t.Errorf("got %d versions, want 2", len(list))
		}
	}
	check(t)

	// As a demo database from before the värdegrund: the kommun without versions.
	if _, err := e.db.Exec(ctx, `DELETE FROM value_versions WHERE tenant_id = $1`, tenantID); err != nil {
		t.Fatal(err)
	}
	e.generate(t, demo.Options{})
	check(t)
}
