package org

import (
	"context"
	"log/slog"
)

// Importer runs organisation imports from HR exports as background jobs stored in the database.
// (Skeleton: the import issue work fills this in.)
type Importer struct {
	svc *Service
	log *slog.Logger
}

// NewImporter returns an importer over the organisation service.
func NewImporter(svc *Service, log *slog.Logger) *Importer { return &Importer{svc: svc, log: log} }

// Run processes queued import jobs until ctx ends.
func (im *Importer) Run(ctx context.Context) { <-ctx.Done() }
