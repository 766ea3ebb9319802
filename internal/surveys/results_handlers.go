package surveys

import "github.com/vard-kommun/vard/internal/web"

// resultsRoutes registers the results pages, their exports and the published citizen results.
func (h *Handlers) resultsRoutes(rt *web.Router) {}

// englishResults returns the results pages' part of the English catalogue.
func englishResults() map[string]string { return map[string]string{} }
