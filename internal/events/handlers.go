package events

import (
	"embed"
	"html/template"
	"strings"

	"github.com/vard-kommun/vard/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers is the events' web pages: the organiser's pages, the invitee's answer page behind a personal
// link, and the check-in at the door (checkin_handlers.go).
type Handlers struct {
	svc     *Service
	rd      *web.Renderer
	baseURL string
	pages   map[string]*template.Template
}

// NewHandlers parses the templates and registers the English catalogue. baseURL makes the links sent
// by e-mail absolute.
func NewHandlers(svc *Service, rd *web.Renderer, baseURL string) *Handlers {
	rd.Catalog.Add(english())
	rd.Catalog.Add(englishCheckin())
	rd.Catalog.Add(englishGroups())
	return &Handlers{svc: svc, rd: rd, baseURL: strings.TrimRight(baseURL, "/"),
		pages: rd.MustPages(templates, "templates/*.html")}
}

// Routes registers the routes.
func (h *Handlers) Routes(rt *web.Router) {
	h.checkinRoutes(rt)
	h.groupsRoutes(rt)
}

// english returns the events pages' part of the English catalogue.
func english() map[string]string { return map[string]string{} }
