package events

import "github.com/vard-kommun/vard/internal/org"

// Service holds the events' rules.
type Service struct {
	Store *Store
	Org   *org.Service
}

// NewService returns the service over a store.
func NewService(s *Store, orgSvc *org.Service) *Service { return &Service{Store: s, Org: orgSvc} }
