package org

import "github.com/vard-kommun/vard/internal/web"

// API is the organisation's part of the JSON API under /api/v1.
type API struct{ svc *Service }

// NewAPI returns the organisation API.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

// Routes registers the API routes.
func (a *API) Routes(rt *web.Router) {}
