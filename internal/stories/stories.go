// Package stories is the examples and quotes that make the värdegrund live: submitted by anyone,
// moderated, published to an internal feed and, when allowed, to the kommun's public page.
package stories

import (
	"context"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// WordSource gives the värdeord stories are tagged with; values.Service provides it.
type WordSource interface {
	Words(ctx context.Context, tenantID int64) ([]values.Word, error)
}

// FileStore keeps uploaded files. (Skeleton.)
type FileStore interface{}

// NewFileStore returns a file store in a directory.
func NewFileStore(dir string) (FileStore, error) { return nil, nil }

// Service is the stories' rules. (Skeleton: the stories issue fills this in.)
type Service struct{}

// NewService returns the service.
func NewService(d *db.DB, orgSvc *org.Service, words WordSource, files FileStore) *Service {
	return &Service{}
}

// Handlers is the stories pages.
type Handlers struct{}

// NewHandlers returns the handlers.
func NewHandlers(svc *Service, orgSvc *org.Service, words WordSource, rd *web.Renderer, baseURL string) *Handlers {
	return &Handlers{}
}

// Routes registers the routes.
func (h *Handlers) Routes(rt *web.Router) {}

// API is the stories part of the JSON API.
type API struct{}

// NewAPI returns the API.
func NewAPI(svc *Service) *API { return &API{} }

// Routes registers the API routes.
func (a *API) Routes(rt *web.Router) {}

// OpenAPI returns the area's OpenAPI fragment.
func OpenAPI() []byte { return []byte(`{"paths":{}}`) }
