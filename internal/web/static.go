package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// Static serves the embedded CSS and JavaScript under content-hashed URLs, so they can be cached for a
// year and still change the moment a new version is deployed.
type Static struct {
	files  fs.FS
	hashes map[string]string
}

// NewStatic hashes every embedded static file once.
func NewStatic() (*Static, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	s := &Static{files: sub, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return s, err
}

// URL returns the content-hashed URL of a static file ("css/app.css" → "/static/1a2b3c4d5e6f/css/app.css").
func (s *Static) URL(name string) string {
	return "/static/" + s.hashes[name] + "/" + name
}

// ServeHTTP serves /static/{hash}/{name}.
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	want, known := s.hashes[name]
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	if hash == want {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeFileFS(w, r, s.files, name)
}
