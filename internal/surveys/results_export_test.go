package surveys

import "context"

// PageView is pageView for the tests: the results page's view with the selected group's figures only.
func (s *Service) PageView(ctx context.Context, tenantID, roundID int64, in ViewInput, selected string) (*View, error) {
	info, err := s.roundMeta(ctx, tenantID, roundID)
	if err != nil {
		return nil, err
	}
	return s.pageView(ctx, info, in, selected)
}
