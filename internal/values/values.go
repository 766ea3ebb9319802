// Package values is a kommun's värdegrund: versioned documents with a vision, värdeord (with meaning and
// behaviours), a värdskapskod and servicedeklaration promises, adopted by the council; and the värdeord
// as the tags that the other areas use.
package values

import (
	"context"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// Word is a värdeord as other areas use it: a stable key that survives new versions of the värdegrund,
// and its name and meaning in the current version.
type Word struct {
	Key     string
	Name    string
	Meaning string
}

// Service is the värdegrund's rules. (Skeleton: the values issue fills this in.)
type Service struct {
	db  *db.DB
	org *org.Service
}

// NewService returns the service.
func NewService(d *db.DB, orgSvc *org.Service) *Service { return &Service{db: d, org: orgSvc} }

// Words returns the värdeord of the kommun's current adopted värdegrund, in their order.
func (s *Service) Words(ctx context.Context, tenantID int64) ([]Word, error) { return nil, nil }

// Handlers is the values pages.
type Handlers struct{}

// NewHandlers returns the handlers.
func NewHandlers(svc *Service, orgSvc *org.Service, rd *web.Renderer) *Handlers { return &Handlers{} }

// Routes registers the routes.
func (h *Handlers) Routes(rt *web.Router) {}

// API is the values part of the JSON API.
type API struct{}

// NewAPI returns the API.
func NewAPI(svc *Service) *API { return &API{} }

// Routes registers the API routes.
func (a *API) Routes(rt *web.Router) {}

// OpenAPI returns the area's OpenAPI fragment.
func OpenAPI() []byte { return []byte(`{"paths":{}}`) }
