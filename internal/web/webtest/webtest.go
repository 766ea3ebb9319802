// Package webtest holds checks that every area's tests share.
package webtest

import (
	"io/fs"
	"regexp"
	"testing"
)

// translated finds the Swedish texts a template passes to the translator: {{.T "…"}} and {{$.T "…"}}.
var translated = regexp.MustCompile(`\.T "([^"]+)"`)

// TemplateTexts returns every text that the template files matching glob send through .T, plus the
// non-empty groups of any extra patterns (for partials that take their label as an argument), so that a
// test can check that the English catalogue has them all.
func TemplateTexts(t testing.TB, fsys fs.FS, glob string, extra ...*regexp.Regexp) []string {
	t.Helper()
	files, err := fs.Glob(fsys, glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("templates %s: %d files, %v", glob, len(files), err)
	}
	var texts []string
	patterns := append([]*regexp.Regexp{translated}, extra...)
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				for _, s := range m[1:] {
					if s != "" {
						texts = append(texts, s)
					}
				}
			}
		}
	}
	return texts
}
