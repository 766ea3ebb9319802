package auth

import (
	"context"

	"github.com/vard-kommun/vard/internal/web"
)

// OIDCSettings is a kommun's single sign-on configuration as auth needs it.
type OIDCSettings struct {
	Enabled      bool
	Issuer       string
	ClientID     string
	ClientSecret string
}

// Directory is what sign-in needs to know of the organisation; org.Service provides it.
type Directory interface {
	// TenantOIDC returns the id and OIDC settings of the kommun with the slug.
	TenantOIDC(ctx context.Context, slug string) (tenantID int64, settings OIDCSettings, err error)
	// ActivePersonByEmail returns the id of the kommun's active person with the e-mail address.
	ActivePersonByEmail(ctx context.Context, tenantID int64, email string) (int64, error)
}

// OIDCHandlers signs people in through their kommun's OpenID Connect provider (e.g. Microsoft Entra ID).
type OIDCHandlers struct {
	svc     *Service
	dir     Directory
	rd      *web.Renderer
	baseURL string
}

// NewOIDCHandlers returns the OIDC sign-in handlers.
func NewOIDCHandlers(svc *Service, dir Directory, rd *web.Renderer, baseURL string) *OIDCHandlers {
	return &OIDCHandlers{svc: svc, dir: dir, rd: rd, baseURL: baseURL}
}

// Routes registers the routes.
func (h *OIDCHandlers) Routes(rt *web.Router) {}
