package stories

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/auth"
	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/values"
	"github.com/vard-kommun/vard/internal/web"
)

// WordSource gives the värdeord stories are tagged with; values.Service provides it.
type WordSource interface {
	Words(ctx context.Context, tenantID int64) ([]values.Word, error)
}

// Service holds the stories' rules: who may see, change and moderate a story, and when it is published.
type Service struct {
	Store *Store
	Org   *org.Service
	words WordSource
	files FileStore
	// Log records files that could not be removed; nothing a person needs to know about.
	Log *slog.Logger
}

// NewService returns the service.
func NewService(d *db.DB, orgSvc *org.Service, words WordSource, files FileStore) *Service {
	return &Service{Store: NewStore(d), Org: orgSvc, words: words, files: files, Log: slog.Default()}
}

// ErrChanged is the answer when someone else changed the story between reading and writing it.
var ErrChanged = &web.Error{Status: http.StatusConflict, Message: "Berättelsen har ändrats under tiden. Ladda om sidan och försök igen."}

// Words returns the kommun's current värdeord.
func (s *Service) Words(ctx context.Context, tenantID int64) ([]values.Word, error) {
	if s.words == nil {
		return nil, nil
	}
	return s.words.Words(ctx, tenantID)
}

// CanModerate reports whether the viewer moderates the kommun's stories: a kommunadmin or a
// kommunikatör.
func CanModerate(v *web.Viewer) bool { return v.Allows(web.Communicator) }

// CanSee reports whether the viewer may read the story: anyone in the kommun once it is published; its
// author, the named colleague and the moderators before that; only the author once it is withdrawn.
func CanSee(v *web.Viewer, st *Story) bool {
	if !v.IsPerson() || v.TenantID != st.TenantID {
		return false
	}
	if st.Status == StatusWithdrawn {
		return st.AuthorID == v.PersonID
	}
	return st.Published() || st.AuthorID == v.PersonID || st.SubjectID == v.PersonID || CanModerate(v)
}

// Input is a new or changed story from the form.
type Input struct {
	Kind   Kind
	Title  string
	Body   string
	Words  []string
	UnitID int64
	Public bool
	Credit Credit
	// SubjectEmail names a colleague the story is about; they must consent before it is published.
	SubjectEmail string
	// Image is the uploaded file's content, nil when none was chosen.
	Image       []byte
	ImageAlt    string
	RemoveImage bool
}

// checkText returns a message when a text is missing, too long or holds control characters (line
// breaks are allowed where multiline is set).
func checkText(s string, max int, required, multiline bool) string {
	switch {
	case required && s == "":
		return "Fältet måste fyllas i."
	case utf8.RuneCountInString(s) > max:
		return fmt.Sprintf("Texten får vara högst %d tecken.", max)
	case !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t'))
	}) >= 0:
		return "Texten innehåller otillåtna tecken."
	}
	return ""
}

// prepare validates the input for the author's story st (new or existing), fills st with it, and
// returns the cleaned image to store, if a new one was uploaded.
func (s *Service) prepare(ctx context.Context, st *Story, in Input) (*cleanImage, error) {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.ImageAlt = strings.TrimSpace(in.ImageAlt)
	in.SubjectEmail = strings.ToLower(strings.TrimSpace(in.SubjectEmail))
	errs := map[string]string{}
	if !in.Kind.Valid() {
		errs["kind"] = "Välj exempel eller citat."
	}
	if msg := checkText(in.Title, MaxTitle, in.Kind == KindExample, false); msg != "" {
		errs["title"] = msg
	}
	if msg := checkText(in.Body, MaxBody, true, true); msg != "" {
		errs["body"] = msg
	}
	if !in.Credit.Valid() {
		errs["credit"] = "Välj hur du vill stå som avsändare."
	}
	words, err := s.Words(ctx, st.TenantID)
	if err != nil {
		return nil, err
	}
	slices.Sort(in.Words)
	in.Words = slices.Compact(in.Words)
	for _, k := range in.Words {
		if !slices.ContainsFunc(words, func(w values.Word) bool { return w.Key == k }) {
			errs["words"] = "Välj bland kommunens värdeord."
		}
	}
	if in.UnitID != 0 {
		u, err := s.Org.Store.Unit(ctx, st.TenantID, in.UnitID)
		switch {
		case errors.Is(err, db.ErrNotFound):
			errs["unit_id"] = "Enheten finns inte."
		case err != nil:
			return nil, err
		case u.Closed() && u.ID != st.UnitID:
			errs["unit_id"] = "Enheten är stängd."
		}
	}
	author, err := s.Org.Store.Person(ctx, st.TenantID, st.AuthorID)
	if err != nil {
		return nil, err
	}
	var subject *org.Person
	if msg := checkText(in.SubjectEmail, 254, false, false); msg != "" {
		errs["subject"] = msg
	} else if in.SubjectEmail != "" {
		p, err := s.Org.Store.PersonByEmail(ctx, st.TenantID, in.SubjectEmail)
		switch {
		case errors.Is(err, db.ErrNotFound) || (err == nil && !p.Active):
			errs["subject"] = "Ingen aktiv medarbetare i kommunen har den e-postadressen."
		case err != nil:
			return nil, err
		case p.ID == st.AuthorID:
			errs["subject"] = "Du behöver inte ditt eget samtycke. Lämna fältet tomt."
		default:
			subject = p
		}
	}
	var img *cleanImage
	if len(in.Image) > 0 {
		if img, err = processImage(in.Image); err != nil {
			if !errors.Is(err, ErrImageTooLarge) && !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrImageDimensions) {
				return nil, err
			}
			errs["image"] = err.Error()
		}
	}
	hasImage := img != nil || (st.Image.Present() && !in.RemoveImage)
	if msg := checkText(in.ImageAlt, MaxAlt, hasImage, false); msg != "" {
		if msg == "Fältet måste fyllas i." {
			msg = "Beskriv bilden med en alternativ text för den som inte ser den."
		}
		errs["image_alt"] = msg
	}
	if len(errs) > 0 {
		return nil, web.Invalid(errs)
	}

	// A named colleague consents to what is published: a new colleague, or any change to what the
	// story says, asks them again.
	changed := st.Title != in.Title || st.Body != in.Body || st.Kind != in.Kind
	switch {
	case subject == nil:
		st.SubjectID, st.SubjectName, st.Consent, st.ConsentAt = 0, "", ConsentNone, nil
	case subject.ID != st.SubjectID || changed || st.Consent == ConsentNone:
		st.SubjectID, st.SubjectName, st.Consent, st.ConsentAt = subject.ID, subject.Name(), ConsentPending, nil
	}
	st.Kind, st.Title, st.Body, st.Words, st.UnitID = in.Kind, in.Title, in.Body, in.Words, in.UnitID
	st.Public, st.Credit, st.Byline = in.Public, in.Credit, byline(author, in.Credit)
	switch {
	case img != nil:
		st.Image = Image{Key: NewFileKey(), Type: img.Type, Alt: in.ImageAlt, Width: img.Width, Height: img.Height}
	case hasImage:
		st.Image.Alt = in.ImageAlt
	default:
		st.Image = Image{}
	}
	return img, nil
}

// byline is how the author is named under the story.
func byline(p *org.Person, c Credit) string {
	var parts []string
	if c == CreditName {
		parts = append(parts, p.Name())
	}
	if c == CreditName || c == CreditRole {
		for _, s := range []string{p.Title, p.UnitName} {
			if s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, ", ")
}

// Submit stores a new story from the author, waiting for moderation.
func (s *Service) Submit(ctx context.Context, tenantID, authorID int64, in Input) (*Story, error) {
	st := &Story{TenantID: tenantID, AuthorID: authorID, Status: StatusPending, Consent: ConsentNone}
	img, err := s.prepare(ctx, st, in)
	if err != nil {
		return nil, err
	}
	if err := s.putImage(ctx, st, img); err != nil {
		return nil, err
	}
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error { return s.Store.Insert(ctx, tx, st) })
	if err != nil {
		s.removeImage(ctx, st.Image.Key)
		return nil, err
	}
	return st, nil
}

// Edit stores the author's changes; the story goes back to moderation.
func (s *Service) Edit(ctx context.Context, tenantID, authorID, id int64, in Input) (*Story, error) {
	st, err := s.Store.Story(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	if st.AuthorID != authorID {
		return nil, db.ErrNotFound
	}
	if !st.Editable() {
		return st, web.BadRequest("Berättelsen kan inte ändras längre.")
	}
	oldKey := st.Image.Key
	img, err := s.prepare(ctx, st, in)
	if err != nil {
		return st, err
	}
	st.Status = StatusPending
	if err := s.putImage(ctx, st, img); err != nil {
		return nil, err
	}
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error { return s.Store.UpdateContent(ctx, tx, st) })
	if err != nil {
		if img != nil {
			s.removeImage(ctx, st.Image.Key)
		}
		if errors.Is(err, db.ErrNotFound) {
			return nil, ErrChanged
		}
		return nil, err
	}
	if oldKey != st.Image.Key {
		s.removeImage(ctx, oldKey)
	}
	return st, nil
}

func (s *Service) putImage(ctx context.Context, st *Story, img *cleanImage) error {
	if img == nil {
		return nil
	}
	return s.files.Put(ctx, st.Image.Key, bytes.NewReader(img.Data))
}

// removeImage deletes a file no story refers to any more. A failure leaves an orphan file, which
// is logged rather than shown: the person's action succeeded.
func (s *Service) removeImage(ctx context.Context, key string) {
	if key == "" {
		return
	}
	if err := s.files.Delete(ctx, key); err != nil {
		s.Log.WarnContext(ctx, "remove story image", "key", key, "err", err)
	}
}

// OpenImage returns the story's image file.
func (s *Service) OpenImage(ctx context.Context, st *Story) (io.ReadCloser, error) {
	if !st.Image.Present() {
		return nil, db.ErrNotFound
	}
	f, err := s.files.Open(ctx, st.Image.Key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, db.ErrNotFound
	}
	return f, err
}

// Withdraw takes the author's story away from every feed and page, for good, and deletes its image.
func (s *Service) Withdraw(ctx context.Context, tenantID, authorID, id int64) error {
	st, err := s.Store.Story(ctx, tenantID, id)
	if err != nil {
		return err
	}
	if st.AuthorID != authorID || st.Status == StatusWithdrawn {
		return db.ErrNotFound
	}
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error { return s.Store.Withdraw(ctx, tx, tenantID, authorID, id) })
	if err != nil {
		return err
	}
	s.removeImage(ctx, st.Image.Key)
	return nil
}

// Approve publishes a story (once a named colleague has consented).
func (s *Service) Approve(ctx context.Context, tenantID, moderatorID, id int64) error {
	return s.moderate(ctx, tenantID, moderatorID, id, approveFrom, StatusApproved, "", "")
}

// Reject turns a story down, or takes a published one down, with a reason the author reads.
func (s *Service) Reject(ctx context.Context, tenantID, moderatorID, id int64, reason string) error {
	return s.moderate(ctx, tenantID, moderatorID, id, rejectFrom, StatusRejected, reason, "reason")
}

// RequestChange sends a story back to its author with a note on what to change.
func (s *Service) RequestChange(ctx context.Context, tenantID, moderatorID, id int64, note string) error {
	return s.moderate(ctx, tenantID, moderatorID, id, requestChangeFrom, StatusChangesRequested, note, "note")
}

func (s *Service) moderate(ctx context.Context, tenantID, moderatorID, id int64, from []Status, to Status, note, field string) error {
	note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
	if field != "" {
		if msg := checkText(note, MaxNote, true, true); msg != "" {
			return web.Invalid(map[string]string{field: msg})
		}
	}
	st, err := s.Store.Story(ctx, tenantID, id)
	if err != nil {
		return err
	}
	if st.Status == StatusWithdrawn {
		return db.ErrNotFound
	}
	if !slices.Contains(from, st.Status) {
		return web.BadRequest("Det går inte att göra så med berättelsen i den status den har nu.")
	}
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.Store.Moderate(ctx, tx, tenantID, id, from, to, note, moderatorID)
	})
	if errors.Is(err, db.ErrNotFound) {
		return ErrChanged
	}
	return err
}

// AnswerConsent stores the named colleague's answer: a story about them is published only with it.
func (s *Service) AnswerConsent(ctx context.Context, tenantID, personID, id int64, give bool) error {
	c := ConsentRefused
	if give {
		c = ConsentGiven
	}
	return s.Store.SetConsent(ctx, tenantID, personID, id, c)
}

// NewFeedToken makes a new address for the person's own Atom feed, replacing any earlier one, and
// returns the token (stored only as a hash, so it is shown once).
func (s *Service) NewFeedToken(ctx context.Context, tenantID, personID int64) (string, error) {
	token := auth.Token()
	return token, s.Store.SetFeedToken(ctx, tenantID, personID, auth.HashToken(token))
}

// FeedTenant returns the kommun whose internal stories a feed token gives, as long as its person is
// still active.
func (s *Service) FeedTenant(ctx context.Context, token string) (int64, error) {
	if token == "" || len(token) > 100 {
		return 0, db.ErrNotFound
	}
	personID, tenantID, err := s.Store.FeedTokenOwner(ctx, auth.HashToken(token))
	if err != nil {
		return 0, err
	}
	p, err := s.Org.Store.Person(ctx, tenantID, personID)
	if err != nil {
		return 0, err
	}
	if !p.Active {
		return 0, db.ErrNotFound
	}
	return tenantID, nil
}

// maxOrigins bounds the intranet origins a kommun may let frame its snippet.
const maxOrigins = 10

// hostPattern is a host name, optionally with a leading wildcard label (https://*.kommun.se), as CSP
// source expressions allow.
var hostPattern = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// SetFrameAncestors stores the origins (one per line) that may frame the kommun's embeddable snippet.
// Each must be an https origin without path, such as https://intranat.kommun.se, since it goes into the
// snippet's Content-Security-Policy as it is; http is allowed only for localhost, for trying it out.
func (s *Service) SetFrameAncestors(ctx context.Context, tenantID int64, text string) error {
	var origins []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		o, ok := parseOrigin(line)
		if !ok {
			return web.Invalid(map[string]string{"origins": "Skriv en adress per rad, som https://intranat.kommun.se, utan sökväg."})
		}
		if !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	if len(origins) > maxOrigins {
		return web.Invalid(map[string]string{"origins": "Ange högst 10 adresser."})
	}
	return s.Store.SetFrameAncestors(ctx, tenantID, origins)
}

// parseOrigin returns the origin in the form CSP wants (scheme://host[:port], lower case).
func parseOrigin(s string) (string, bool) {
	if len(s) > 200 {
		return "", false
	}
	u, err := url.Parse(strings.TrimSuffix(strings.ToLower(s), "/"))
	if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || strings.HasSuffix(s, "?") {
		return "", false
	}
	host := u.Hostname()
	local := host == "localhost" || host == "127.0.0.1"
	if !(u.Scheme == "https" || (u.Scheme == "http" && local)) || !hostPattern.MatchString(host) {
		return "", false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", false
		}
	}
	return u.Scheme + "://" + u.Host, true
}
