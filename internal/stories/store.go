package stories

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
)

// Store reads and writes stories. Every method that takes a tenantID confines itself to that kommun: a
// story of another kommun is not found.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// NewStore returns a store on the database.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: db.Now} }

// search is the stories' full-text search (see db.FullText).
var search = db.FullText{Key: "s.id", Column: "s.search", Index: "stories_fts"}

// published is the SQL twin of Story.Published.
const published = `s.status = 'approved' AND s.consent IN ('none', 'given')`

const storyColumns = `s.id, s.tenant_id, s.author_id, COALESCE(s.unit_id, 0), s.kind, s.title, s.body, s.public, s.credit,
	s.byline, s.status, s.note, COALESCE(s.moderated_by, 0), s.moderated_at, COALESCE(s.subject_id, 0), s.subject_name,
	s.consent, s.consent_at, s.image_key, s.image_type, s.image_alt, s.image_width, s.image_height, s.created_at,
	s.updated_at, s.published_at, s.withdrawn_at`

func scanStory(row interface{ Scan(...any) error }) (*Story, error) {
	st := &Story{}
	var moderated, consented, published, withdrawn sql.NullTime
	err := row.Scan(&st.ID, &st.TenantID, &st.AuthorID, &st.UnitID, &st.Kind, &st.Title, &st.Body, &st.Public, &st.Credit,
		&st.Byline, &st.Status, &st.Note, &st.ModeratedBy, &moderated, &st.SubjectID, &st.SubjectName,
		&st.Consent, &consented, &st.Image.Key, &st.Image.Type, &st.Image.Alt, &st.Image.Width, &st.Image.Height, &st.CreatedAt,
		&st.UpdatedAt, &published, &withdrawn)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	st.ModeratedAt, st.ConsentAt, st.PublishedAt, st.WithdrawnAt = timePtr(moderated), timePtr(consented), timePtr(published), timePtr(withdrawn)
	return st, err
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// Story returns one story of the kommun with its värdeord.
func (s *Store) Story(ctx context.Context, tenantID, id int64) (*Story, error) {
	return s.story(ctx, s.DB.Read(), tenantID, id)
}

func (s *Store) story(ctx context.Context, q db.Querier, tenantID, id int64) (*Story, error) {
	st, err := scanStory(q.QueryRowContext(ctx, `SELECT `+storyColumns+` FROM stories s WHERE s.tenant_id = $1 AND s.id = $2`, tenantID, id))
	if err != nil {
		return nil, err
	}
	return st, s.loadWords(ctx, q, []*Story{st})
}

// List returns one page of the kommun's stories that match the filter, and how many match in all.
func (s *Store) List(ctx context.Context, f Filter) ([]*Story, int, error) {
	where := []string{"s.tenant_id = $1"}
	args := []any{f.TenantID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Published {
		where = append(where, published)
	}
	if f.PublicOnly {
		where = append(where, "s.public")
	}
	if f.Statuses != nil {
		marks := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			marks[i] = arg(string(st))
		}
		where = append(where, "s.status IN ("+strings.Join(append(marks, "''"), ", ")+")")
	}
	if f.AuthorID != 0 {
		where = append(where, "s.author_id = "+arg(f.AuthorID))
	}
	if f.SubjectID != 0 {
		where = append(where, "s.subject_id = "+arg(f.SubjectID))
	}
	if f.Consent != "" {
		where = append(where, "s.consent = "+arg(string(f.Consent)))
	}
	if f.Kind != "" {
		where = append(where, "s.kind = "+arg(string(f.Kind)))
	}
	if f.Word != "" {
		where = append(where, "EXISTS (SELECT 1 FROM story_words w WHERE w.story_id = s.id AND w.word_key = "+arg(f.Word)+")")
	}
	if f.UnitIDs != nil {
		if len(f.UnitIDs) == 0 {
			return nil, 0, nil
		}
		marks := make([]string, len(f.UnitIDs))
		for i, id := range f.UnitIDs {
			marks[i] = arg(id)
		}
		where = append(where, "s.unit_id IN ("+strings.Join(marks, ", ")+")")
	}
	if cond, v, ok := s.DB.Match(search, len(args)+1, f.Query); ok {
		args = append(args, v)
		where = append(where, cond)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM stories s WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := ` ORDER BY COALESCE(s.published_at, s.updated_at) DESC, s.id DESC`
	if f.Oldest {
		order = ` ORDER BY s.updated_at, s.id`
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	limit, offset := arg(f.Limit), arg(f.Offset)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+storyColumns+` FROM stories s WHERE `+cond+order+` LIMIT `+limit+` OFFSET `+offset, args...)
	list, err := db.Collect(rows, err, scanStory)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.loadWords(ctx, s.DB.Read(), list)
}

func (s *Store) loadWords(ctx context.Context, q db.Querier, list []*Story) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*Story, len(list))
	marks := make([]string, len(list))
	args := make([]any, len(list))
	for i, st := range list {
		byID[st.ID] = st
		st.Words = nil
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = st.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT story_id, word_key FROM story_words WHERE story_id IN (`+strings.Join(marks, ",")+`) ORDER BY story_id, word_key`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		byID[id].Words = append(byID[id].Words, key)
	}
	return rows.Err()
}

// document is what the full-text search reads of a story.
func document(st *Story) string {
	if st.Status == StatusWithdrawn {
		return ""
	}
	return st.Title + "\n" + st.Body + "\n" + st.Byline
}

// Insert stores a new story with its värdeord.
func (s *Store) Insert(ctx context.Context, q db.Querier, st *Story) error {
	now := s.Now()
	if st.CreatedAt.IsZero() {
		st.CreatedAt = now
	}
	st.UpdatedAt = st.CreatedAt
	err := q.QueryRowContext(ctx, `INSERT INTO stories (tenant_id, author_id, unit_id, kind, title, body, public, credit, byline, status,
		note, moderated_by, moderated_at, subject_id, subject_name, consent, consent_at, image_key, image_type, image_alt, image_width,
		image_height, search, created_at, updated_at, published_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26) RETURNING id`,
		st.TenantID, st.AuthorID, nullID(st.UnitID), st.Kind, st.Title, st.Body, st.Public, st.Credit, st.Byline, st.Status,
		st.Note, nullID(st.ModeratedBy), st.ModeratedAt, nullID(st.SubjectID), st.SubjectName, st.Consent, st.ConsentAt,
		st.Image.Key, st.Image.Type, st.Image.Alt, st.Image.Width, st.Image.Height, document(st), st.CreatedAt, st.UpdatedAt, st.PublishedAt).Scan(&st.ID)
	if err != nil {
		return err
	}
	if err := s.writeWords(ctx, q, st); err != nil {
		return err
	}
	return s.DB.IndexText(ctx, q, search, st.ID, document(st))
}

// UpdateContent stores what the author changed, and the status and consent the change leads to.
func (s *Store) UpdateContent(ctx context.Context, q db.Querier, st *Story) error {
	st.UpdatedAt = s.Now()
	res, err := q.ExecContext(ctx, `UPDATE stories SET unit_id = $1, kind = $2, title = $3, body = $4, public = $5, credit = $6, byline = $7,
		status = $8, subject_id = $9, subject_name = $10, consent = $11, consent_at = $12, image_key = $13, image_type = $14,
		image_alt = $15, image_width = $16, image_height = $17, search = $18, updated_at = $19
		WHERE tenant_id = $20 AND id = $21 AND author_id = $22 AND status IN ('pending', 'changes_requested')`,
		nullID(st.UnitID), st.Kind, st.Title, st.Body, st.Public, st.Credit, st.Byline,
		st.Status, nullID(st.SubjectID), st.SubjectName, st.Consent, st.ConsentAt, st.Image.Key, st.Image.Type,
		st.Image.Alt, st.Image.Width, st.Image.Height, document(st), st.UpdatedAt,
		st.TenantID, st.ID, st.AuthorID)
	if err := affected(res, err); err != nil {
		return err
	}
	if err := s.writeWords(ctx, q, st); err != nil {
		return err
	}
	return s.DB.IndexText(ctx, q, search, st.ID, document(st))
}

func (s *Store) writeWords(ctx context.Context, q db.Querier, st *Story) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM story_words WHERE story_id = $1`, st.ID); err != nil {
		return err
	}
	for _, k := range st.Words {
		if _, err := q.ExecContext(ctx, `INSERT INTO story_words (story_id, word_key) VALUES ($1, $2)`, st.ID, k); err != nil {
			return err
		}
	}
	return nil
}

// Moderate moves a story from one of the statuses in from to the status to, with the moderator's note.
// A story that is no longer in one of them (another moderator or the author got there first) is
// db.ErrNotFound. The first approval sets the publication time.
func (s *Store) Moderate(ctx context.Context, q db.Querier, tenantID, id int64, from []Status, to Status, note string, by int64) error {
	now := s.Now()
	args := []any{to, note, by, now, tenantID, id}
	marks := make([]string, len(from))
	for i, st := range from {
		args = append(args, st)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	publish := ""
	if to == StatusApproved {
		publish = ", published_at = COALESCE(published_at, $4)"
	}
	res, err := q.ExecContext(ctx, `UPDATE stories SET status = $1, note = $2, moderated_by = $3, moderated_at = $4`+publish+`
		WHERE tenant_id = $5 AND id = $6 AND status IN (`+strings.Join(marks, ", ")+`)`, args...)
	return affected(res, err)
}

// Withdraw marks the author's story withdrawn, forgets its image and takes it out of the search index.
func (s *Store) Withdraw(ctx context.Context, q db.Querier, tenantID, authorID, id int64) error {
	res, err := q.ExecContext(ctx, `UPDATE stories SET status = 'withdrawn', withdrawn_at = $1, search = '', image_key = '', image_type = '',
		image_alt = '', image_width = 0, image_height = 0 WHERE tenant_id = $2 AND id = $3 AND author_id = $4 AND status <> 'withdrawn'`,
		s.Now(), tenantID, id, authorID)
	if err := affected(res, err); err != nil {
		return err
	}
	return s.DB.IndexText(ctx, q, search, id, "")
}

// SetConsent stores the named colleague's answer. Only they can give it, and not for a withdrawn story.
func (s *Store) SetConsent(ctx context.Context, tenantID, subjectID, id int64, c Consent) error {
	res, err := s.DB.Exec(ctx, `UPDATE stories SET consent = $1, consent_at = $2
		WHERE tenant_id = $3 AND id = $4 AND subject_id = $5 AND consent <> 'none' AND status <> 'withdrawn'`,
		c, s.Now(), tenantID, id, subjectID)
	return affected(res, err)
}

// CountConsentRequests returns how many stories wait for the person's consent.
func (s *Store) CountConsentRequests(ctx context.Context, tenantID, personID int64) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM stories WHERE tenant_id = $1 AND subject_id = $2
		AND consent = 'pending' AND status <> 'withdrawn'`, tenantID, personID).Scan(&n)
	return n, err
}

// CountStories returns how many stories the kommun has, in any status.
func (s *Store) CountStories(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM stories WHERE tenant_id = $1`, tenantID).Scan(&n)
	return n, err
}

func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return db.ErrNotFound
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// --- settings and feed tokens

// FrameAncestors returns the origins that may frame the kommun's embeddable snippet.
func (s *Store) FrameAncestors(ctx context.Context, tenantID int64) ([]string, error) {
	var v string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT frame_ancestors FROM story_settings WHERE tenant_id = $1`, tenantID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return strings.Fields(v), err
}

// SetFrameAncestors stores the origins that may frame the snippet.
func (s *Store) SetFrameAncestors(ctx context.Context, tenantID int64, origins []string) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO story_settings (tenant_id, frame_ancestors, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (tenant_id) DO UPDATE SET frame_ancestors = excluded.frame_ancestors, updated_at = excluded.updated_at`,
		tenantID, strings.Join(origins, "\n"), s.Now())
	return err
}

// SetFeedToken stores the hash of a person's new feed token, replacing the old one.
func (s *Store) SetFeedToken(ctx context.Context, tenantID, personID int64, hash string) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO story_feed_tokens (person_id, tenant_id, token_hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (person_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		personID, tenantID, hash, s.Now())
	return err
}

// FeedTokenCreated returns when the person's feed token was made, or nil when they have none.
func (s *Store) FeedTokenCreated(ctx context.Context, personID int64) (*time.Time, error) {
	var t time.Time
	err := s.DB.Read().QueryRowContext(ctx, `SELECT created_at FROM story_feed_tokens WHERE person_id = $1`, personID).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &t, err
}

// FeedTokenOwner returns the person and kommun of a feed token's hash.
func (s *Store) FeedTokenOwner(ctx context.Context, hash string) (personID, tenantID int64, err error) {
	err = s.DB.Read().QueryRowContext(ctx, `SELECT person_id, tenant_id FROM story_feed_tokens WHERE token_hash = $1`, hash).Scan(&personID, &tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, db.ErrNotFound
	}
	return personID, tenantID, err
}
