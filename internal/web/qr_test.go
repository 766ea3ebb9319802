package web

import (
	"strings"
	"testing"
)

func TestQRSVG(t *testing.T) {
	svg, err := QRSVG("https://vard.example/enkater/lank/abc", `Kod "1"`)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	for _, want := range []string{`<svg `, `role="img"`, `aria-label="Kod &#34;1&#34;"`, `viewBox="0 0 `, `<path d="M4 4h1v1h-1z`} {
		if !strings.Contains(s, want) {
			t.Errorf("svg lacks %q: %.200s", want, s)
		}
	}
	// The same text gives the same code, so a printed code stays valid when the page is printed again.
	again, _ := QRSVG("https://vard.example/enkater/lank/abc", `Kod "1"`)
	if again != svg {
		t.Error("QRSVG is not deterministic")
	}
}
