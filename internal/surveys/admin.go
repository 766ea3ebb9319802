package surveys

import "github.com/vard-kommun/vard/internal/web"

// adminRoutes registers the kommunadmin's pages: building surveys and sending rounds.
func (h *Handlers) adminRoutes(rt *web.Router) {}

// englishAdmin returns the admin pages' part of the English catalogue.
func englishAdmin() map[string]string { return map[string]string{} }
