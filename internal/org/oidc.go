package org

import (
	"context"

	"github.com/vard-kommun/vard/internal/auth"
)

// TenantOIDCByID returns the single sign-on settings of the kommun with the id (for auth).
func (s *Service) TenantOIDCByID(ctx context.Context, tenantID int64) (auth.OIDCSettings, error) {
	t, err := s.Store.Tenant(ctx, tenantID)
	if err != nil {
		return auth.OIDCSettings{}, err
	}
	return auth.OIDCSettings(t.OIDC), nil
}

// SetTenantOIDC stores the kommun's single sign-on settings (for auth, which validates them).
func (s *Service) SetTenantOIDC(ctx context.Context, tenantID int64, settings auth.OIDCSettings) error {
	return s.Store.SetOIDC(ctx, tenantID, OIDCConfig(settings))
}
