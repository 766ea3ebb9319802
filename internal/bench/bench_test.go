package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/db/dbtest"
)

// TestScenariosRun keeps `vard bench` working: each scenario runs small and prints its ratio line.
func TestScenariosRun(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		run  func(dsn string, out *bytes.Buffer) error
	}{
		{"org", func(dsn string, out *bytes.Buffer) error { return OrgTree(ctx, dsn, 20, 2, out) }},
		{"import", func(dsn string, out *bytes.Buffer) error { return Import(ctx, dsn, 300, out) }},
		{"survey", func(dsn string, out *bytes.Buffer) error { return Survey(ctx, dsn, 50, 4, out) }},
		{"grouping", func(_ string, out *bytes.Buffer) error { return Grouping(60, 8, 4, 3, out) }},
		{"checkin", func(dsn string, out *bytes.Buffer) error { return Checkin(ctx, dsn, 60, 8, out) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := tt.run(dbtest.DSN(t), &out); err != nil {
				t.Fatalf("%s: %v\n%s", tt.name, err, out.String())
			}
			if !strings.Contains(out.String(), "ratio") || !strings.Contains(out.String(), "baseline") {
				t.Errorf("%s printed no baseline and ratio:\n%s", tt.name, out.String())
			}
		})
	}
}

func TestHRFileHasTheRowsAsked(t *testing.T) {
	if got := bytes.Count(HRFile(1000), []byte("\r\n")); got != 1001 {
		t.Errorf("got %d lines, want 1,001 (header and 1,000 people)", got)
	}
}
