package events

import "github.com/vard-kommun/vard/internal/web"

// groupsRoutes registers the mingling groups' pages.
func (h *Handlers) groupsRoutes(rt *web.Router) {}

// englishGroups returns the mingling groups' pages' part of the English catalogue.
func englishGroups() map[string]string { return map[string]string{} }
