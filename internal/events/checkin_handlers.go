package events

import "github.com/vard-kommun/vard/internal/web"

// checkinRoutes registers the check-in pages and their API.
func (h *Handlers) checkinRoutes(rt *web.Router) {}

// englishCheckin returns the check-in pages' part of the English catalogue.
func englishCheckin() map[string]string { return map[string]string{} }
