package events

import (
	"time"

	"github.com/vard-kommun/vard/internal/db"
)

// Store is the events' SQL.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a store on the database.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: db.Now} }
