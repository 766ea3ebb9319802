package values

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// Errors of the värdegrund's rules, worded for the person who broke them.
var (
	// ErrDraftExists refuses a second draft: the kommun writes one new version at a time.
	ErrDraftExists = &web.Error{Status: http.StatusConflict, Message: "Det finns redan ett utkast. Fortsätt med det, eller ta bort det först."}
	// errNotDraft refuses a change to an adopted or replaced version: it is the council's decision.
	errNotDraft = &web.Error{Status: http.StatusConflict, Message: "Versionen är antagen och kan inte ändras. Gör ett nytt utkast från den i stället."}
	// errNothingToAdopt refuses to adopt an empty draft.
	errNothingToAdopt = &web.Error{Status: http.StatusUnprocessableEntity, Message: "Utkastet behöver en vision eller minst ett värdeord innan det kan antas."}
	// errNotFound is a version that does not exist, or belongs to another kommun.
	errNotFound = &web.Error{Status: http.StatusNotFound, Message: "Versionen finns inte."}
)

// Service holds the värdegrund's rules.
type Service struct {
	db    *db.DB
	org   *org.Service
	store *store
	// Now is the clock; tests set it to decide what "today" is.
	Now func() time.Time
}

// NewService returns the service.
func NewService(d *db.DB, orgSvc *org.Service) *Service {
	return &Service{db: d, org: orgSvc, store: &store{db: d}, Now: db.Now}
}

// Words returns the värdeord of the kommun's current adopted värdegrund, in their order; an empty list
// when the kommun has adopted none.
func (s *Service) Words(ctx context.Context, tenantID int64) ([]Word, error) {
	return s.store.currentWords(ctx, tenantID)
}

// WordsByKeys returns the värdeord with the keys, in the order asked, leaving out keys the kommun never
// adopted. A key of a word that a newer version dropped still gets the name it last had, so that
// something tagged in an earlier version keeps a readable tag. Drafts do not count.
func (s *Service) WordsByKeys(ctx context.Context, tenantID int64, keys []string) ([]Word, error) {
	if len(keys) == 0 {
		return []Word{}, nil
	}
	all, err := s.store.adoptedWords(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	newest := map[string]Word{}
	for _, w := range all { // newest version first: the first one seen wins
		if _, ok := newest[w.Key]; !ok {
			newest[w.Key] = w
		}
	}
	out := []Word{}
	seen := map[string]bool{}
	for _, k := range keys {
		if w, ok := newest[k]; ok && !seen[k] {
			out = append(out, w)
			seen[k] = true
		}
	}
	return out, nil
}

// Current returns the kommun's adopted värdegrund, or db.ErrNotFound when it has adopted none.
func (s *Service) Current(ctx context.Context, tenantID int64) (*Version, error) {
	return s.store.versionWithStatus(ctx, s.db.Read(), tenantID, StatusAdopted)
}

// Draft returns the kommun's draft, or db.ErrNotFound when there is none.
func (s *Service) Draft(ctx context.Context, tenantID int64) (*Version, error) {
	return s.store.versionWithStatus(ctx, s.db.Read(), tenantID, StatusDraft)
}

// Version returns one version of the kommun with its content, or db.ErrNotFound.
func (s *Service) Version(ctx context.Context, tenantID, id int64) (*Version, error) {
	return s.store.version(ctx, s.db.Read(), tenantID, id)
}

// Versions lists the kommun's versions, newest first, without their content.
func (s *Service) Versions(ctx context.Context, tenantID int64) ([]*Version, error) {
	return s.store.versions(ctx, tenantID)
}

// CreateDraft starts the kommun's next version as a copy of an adopted or replaced version (fromID), or
// blank when fromID is 0. The copy keeps every värdeord's and promise's key, so that tags survive.
func (s *Service) CreateDraft(ctx context.Context, tenantID, fromID, personID int64) (*Version, error) {
	var v *Version
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.store.versionWithStatus(ctx, tx, tenantID, StatusDraft); err == nil {
			return ErrDraftExists
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		now := s.Now()
		v = &Version{TenantID: tenantID, Status: StatusDraft, CreatedAt: now, UpdatedAt: now}
		if fromID != 0 {
			from, err := s.store.version(ctx, tx, tenantID, fromID)
			if errors.Is(err, db.ErrNotFound) {
				return errNotFound
			}
			if err != nil {
				return err
			}
			v.BasedOnID, v.Vision, v.Code, v.Words, v.Promises = from.ID, from.Vision, from.Code, from.Words, from.Promises
		}
		n, err := s.store.nextNumber(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		v.Number = n
		err = s.store.insertVersion(ctx, tx, v, personID)
		if db.IsUniqueViolation(err) {
			// Another request started a draft at the same moment.
			return ErrDraftExists
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// SaveDraft validates the draft's new content and stores it. A version that is no longer a draft is
// refused: adopted text never changes.
func (s *Service) SaveDraft(ctx context.Context, tenantID, id int64, in DraftInput) (*Version, error) {
	var v *Version
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		v, err = s.store.version(ctx, tx, tenantID, id)
		if errors.Is(err, db.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if !v.Editable() {
			return errNotDraft
		}
		content, errs := in.clean(v)
		if len(errs) > 0 {
			return web.Invalid(errs)
		}
		v.Vision, v.Code, v.Words, v.Promises = content.Vision, content.Code, content.Words, content.Promises
		v.UpdatedAt = s.Now()
		return s.store.updateDraft(ctx, tx, v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// AdoptionInput is the council's decision as the kommunadmin records it.
type AdoptionInput struct {
	Date, Body, RegistrationNumber string
}

// Adopt records that the council adopted the draft: it becomes the kommun's värdegrund and read-only,
// and the version it replaces stays in the history as replaced.
func (s *Service) Adopt(ctx context.Context, tenantID, id int64, in AdoptionInput, personID int64) error {
	a, errs := s.checkAdoption(in)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		v, err := s.store.version(ctx, tx, tenantID, id)
		if errors.Is(err, db.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if !v.Editable() {
			return errNotDraft
		}
		if cur, err := s.store.versionWithStatus(ctx, tx, tenantID, StatusAdopted); err == nil {
			if errs["date"] == "" && a.Date < cur.Adoption.Date {
				errs["date"] = msgBeforeCurrent
			}
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if len(errs) > 0 {
			return web.Invalid(errs)
		}
		if v.Vision == "" && len(v.Words) == 0 {
			return errNothingToAdopt
		}
		return s.store.adopt(ctx, tx, tenantID, id, a, personID, s.Now())
	})
}

// checkAdoption validates the decision's facts.
func (s *Service) checkAdoption(in AdoptionInput) (Adoption, map[string]string) {
	a := Adoption{Date: strings.TrimSpace(in.Date), Body: strings.TrimSpace(in.Body), RegistrationNumber: strings.TrimSpace(in.RegistrationNumber)}
	errs := map[string]string{}
	if a.Date == "" {
		errs["date"] = msgRequired
	} else if d, err := time.Parse(time.DateOnly, a.Date); err != nil || d.Year() < 1950 {
		errs["date"] = msgDate
	} else if a.Date > s.Now().In(stockholm).Format(time.DateOnly) {
		errs["date"] = msgFutureDate
	}
	if msg := checkLine(a.Body, maxBodyLen, true); msg != "" {
		errs["body"] = msg
	}
	if msg := checkLine(a.RegistrationNumber, maxRegNumberLen, false); msg != "" {
		errs["registration_number"] = msg
	}
	return a, errs
}

// DeleteDraft removes the kommun's draft. Adopted and replaced versions stay for ever.
func (s *Service) DeleteDraft(ctx context.Context, tenantID, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.store.version(ctx, tx, tenantID, id); errors.Is(err, db.ErrNotFound) {
			return errNotFound
		} else if err != nil {
			return err
		}
		return s.store.deleteDraft(ctx, tx, tenantID, id)
	})
}

var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// randomKey returns a new promise key: random, so that it never names another promise of the kommun.
func randomKey() string {
	b := make([]byte, 5)
	rand.Read(b)
	return "l" + hex.EncodeToString(b)
}
