package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/mail"
	"github.com/vard-kommun/vard/internal/org"
	"github.com/vard-kommun/vard/internal/web"
)

// MaxGuestLines is how many external guests one form adds at most.
const MaxGuestLines = 1000

// Selection is who to invite: people by id, whole units with everything under them, everyone with a
// role, and external guests, one per line ("Anna Ek <anna@foretag.se>").
type Selection struct {
	PersonIDs    []int64
	UnitIDs      []int64
	Roles        []string
	Guests       string
	Organisation string // the guests' organisation, optional
	Host         bool   // the people added host a mingling group each
}

// Guest is an external guest parsed from a line.
type Guest struct {
	Name, Email string
}

// Preview is what adding a selection would do.
type Preview struct {
	People  int // people of the kommun not yet invited
	Already int // people and guests in the selection who are already invited
	Guests  []Guest
}

// New is how many invitations adding the selection makes.
func (p Preview) New() int { return p.People + len(p.Guests) }

// ParseGuests reads external guests, one per line, as "Namn <e-post>" or a bare address; the error is a
// Swedish message naming the first bad line.
func ParseGuests(text string) ([]Guest, string) {
	var guests []Guest
	seen := map[string]bool{}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	n := 0
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if n++; n > MaxGuestLines {
			return nil, "Lägg till högst " + strconv.Itoa(MaxGuestLines) + " gäster åt gången."
		}
		a, err := netmail.ParseAddress(line)
		if err != nil || !strings.Contains(a.Address, ".") || strings.ContainsAny(a.Address, " \t") {
			return nil, "Rad " + strconv.Itoa(i+1) + ": skriv namn och e-postadress som Anna Ek <anna@foretag.se>."
		}
		a.Name = strings.TrimSpace(a.Name)
		if msg := checkText(a.Name, MaxGuestName, false); msg != "" {
			return nil, "Rad " + strconv.Itoa(i+1) + ": namnet får vara högst " + strconv.Itoa(MaxGuestName) + " tecken."
		}
		if len(a.Address) > 254 {
			return nil, "Rad " + strconv.Itoa(i+1) + ": e-postadressen är för lång."
		}
		email := strings.ToLower(a.Address)
		if seen[email] {
			continue
		}
		seen[email] = true
		name := a.Name
		if name == "" {
			name = email
		}
		guests = append(guests, Guest{Name: name, Email: email})
	}
	return guests, ""
}

// resolve turns a selection into the people and guests not yet invited.
func (s *Service) resolve(ctx context.Context, e *Event, sel *Selection) ([]candidate, []Guest, int, error) {
	errs := map[string]string{}
	sel.Organisation = strings.TrimSpace(sel.Organisation)
	if msg := checkText(sel.Organisation, MaxOrganisation, false); msg != "" {
		errs["organisation"] = msg
	}
	guests, msg := ParseGuests(sel.Guests)
	if msg != "" {
		errs["guests"] = msg
	}
	for _, r := range sel.Roles {
		if !org.ValidRole(r) {
			errs["roles"] = "Välj bland rollerna i listan."
		}
	}
	var units []int64
	if len(sel.UnitIDs) > 0 {
		tree, err := s.Org.Tree(ctx, e.TenantID)
		if err != nil {
			return nil, nil, 0, err
		}
		for _, id := range sel.UnitIDs {
			d := tree.Descendants(id)
			if d == nil {
				errs["units"] = "Välj bland enheterna i listan."
			}
			units = append(units, d...)
		}
	}
	if len(errs) > 0 {
		return nil, nil, 0, web.Invalid(errs)
	}
	people, err := s.Store.activePeople(ctx, e.TenantID, sel.PersonIDs, units, sel.Roles)
	if err != nil {
		return nil, nil, 0, err
	}
	if len(sel.PersonIDs) > 0 {
		found := map[int64]bool{}
		for _, c := range people {
			found[c.id] = true
		}
		for _, id := range sel.PersonIDs {
			if !found[id] {
				return nil, nil, 0, web.Invalid(map[string]string{"people": "Välj bland personerna i sökresultatet."})
			}
		}
	}
	invited, err := s.Store.invitedPeople(ctx, s.Store.DB.Read(), e.ID)
	if err != nil {
		return nil, nil, 0, err
	}
	invitedGuests, err := s.Store.invitedGuests(ctx, s.Store.DB.Read(), e.ID)
	if err != nil {
		return nil, nil, 0, err
	}
	already := 0
	people = slices.DeleteFunc(people, func(c candidate) bool {
		if invited[c.id] {
			already++
		}
		return invited[c.id]
	})
	guests = slices.DeleteFunc(guests, func(g Guest) bool {
		if invitedGuests[g.Email] {
			already++
		}
		return invitedGuests[g.Email]
	})
	return people, guests, already, nil
}

// PreviewInvitees counts what adding the selection would add.
func (s *Service) PreviewInvitees(ctx context.Context, e *Event, sel Selection) (Preview, error) {
	people, guests, already, err := s.resolve(ctx, e, &sel)
	if err != nil {
		return Preview{}, err
	}
	return Preview{People: len(people), Already: already, Guests: guests}, nil
}

// AddInvitees invites the selection, skipping whoever is already invited, in one transaction, and
// returns how many invitations it made. Nothing is mailed until the invitations are sent.
func (s *Service) AddInvitees(ctx context.Context, e *Event, sel Selection) (int, error) {
	if e.Cancelled() {
		return 0, web.BadRequest("Evenemanget är inställt.")
	}
	people, guests, _, err := s.resolve(ctx, e, &sel)
	if err != nil {
		return 0, err
	}
	if len(people) == 0 && len(guests) == 0 {
		return 0, nil
	}
	added := 0
	now := s.Now()
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, c := range people {
			ok, err := s.Store.InsertInvitation(ctx, tx, &Invitation{EventID: e.ID, PersonID: c.id, UnitID: c.unitID, Host: sel.Host, CreatedAt: now})
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		for _, g := range guests {
			ok, err := s.Store.InsertInvitation(ctx, tx, &Invitation{EventID: e.ID, GuestName: g.Name, GuestEmail: g.Email,
				GuestOrganisation: sel.Organisation, Host: sel.Host, CreatedAt: now})
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		return nil
	})
	return added, err
}

// Invitation returns one invitation of the event, or web.NotFound.
func (s *Service) Invitation(ctx context.Context, e *Event, id int64) (*Invitation, error) {
	inv, err := s.Store.Invitation(ctx, s.Store.DB.Read(), e.ID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	return inv, err
}

// Invitations lists the event's invitations, with each person's förvaltning.
func (s *Service) Invitations(ctx context.Context, e *Event, f InvitationFilter) ([]*Invitation, int, error) {
	list, total, err := s.Store.Invitations(ctx, e.ID, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.fillDepartments(ctx, e.TenantID, list); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

func (s *Service) fillDepartments(ctx context.Context, tenantID int64, list []*Invitation) error {
	tree, err := s.Org.Tree(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, inv := range list {
		if d := tree.Department(inv.UnitID); d != nil {
			inv.Department = d.Name
		}
	}
	return nil
}

// RemoveInvitation removes an invitee. A place they held goes to the first on the waitlist.
func (s *Service) RemoveInvitation(ctx context.Context, e *Event, id int64) error {
	err := s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		ev, err := s.Store.LockEvent(ctx, tx, e.TenantID, e.ID)
		if err != nil {
			return err
		}
		inv, err := s.Store.Invitation(ctx, tx, e.ID, id)
		if err != nil {
			return err
		}
		if err := s.Store.deleteInvitation(ctx, tx, e.ID, id); err != nil {
			return err
		}
		if inv.Status == StatusYes {
			if err := s.releasePlace(ctx, tx, ev); err != nil {
				return err
			}
			return s.promote(ctx, tx, ev)
		}
		return nil
	})
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	return err
}

// SetHost marks or unmarks an invitee as a host.
func (s *Service) SetHost(ctx context.Context, e *Event, id int64, host bool) error {
	err := s.Store.SetHost(ctx, e.ID, id, host)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	return err
}

// --- sending

// DedupePrefix is the start of the dedupe keys of every mail about the event.
func DedupePrefix(eventID int64) string { return "event:" + strconv.FormatInt(eventID, 10) + ":" }

// InvitationPrefix is the start of the dedupe keys of the event's invitation mails, for their progress.
func InvitationPrefix(eventID int64) string { return DedupePrefix(eventID) + "inv:" }

// RequestSend marks the event's invitations made until now to be sent, so that the periodic job sends
// them too should the server stop before SendAll finishes.
func (s *Service) RequestSend(ctx context.Context, e *Event) error {
	if e.Cancelled() {
		return web.BadRequest("Evenemanget är inställt.")
	}
	now := s.Now()
	if _, err := s.Store.DB.Exec(ctx, `UPDATE events SET send_requested_at = $1 WHERE tenant_id = $2 AND id = $3`, now, e.TenantID, e.ID); err != nil {
		return fmt.Errorf("request send: %w", err)
	}
	e.SendRequestedAt = &now
	return nil
}

// SendProgress is how far the sending of an event's invitations has come.
type SendProgress struct {
	Counts Counts
	// Requested is how many invitations made before the last "Skicka" are not yet sent.
	Requested int
	// NoEmail is how many sent invitations had no e-mail address to go to.
	NoEmail int
	// Mail counts the invitation mails by delivery state.
	Mail mail.Progress
}

// Working reports whether invitations or their mails are still on their way.
func (p SendProgress) Working() bool { return p.Requested > 0 || p.Mail.Queued > 0 }

// SendProgress reports how far the sending has come.
func (s *Service) SendProgress(ctx context.Context, e *Event) (SendProgress, error) {
	var p SendProgress
	var err error
	q := s.Store.DB.Read()
	if p.Counts, err = s.Store.Counts(ctx, q, e.ID); err != nil {
		return p, err
	}
	if e.SendRequestedAt != nil {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND sent_at IS NULL AND created_at <= $2`,
			e.ID, e.SendRequestedAt.UTC()).Scan(&p.Requested); err != nil {
			return p, fmt.Errorf("send progress: %w", err)
		}
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_invitations i LEFT JOIN people p ON p.id = i.person_id
		WHERE i.event_id = $1 AND i.sent_at IS NOT NULL AND i.erased_at IS NULL AND COALESCE(p.email, i.guest_email) = ''`,
		e.ID).Scan(&p.NoEmail); err != nil {
		return p, fmt.Errorf("send progress: %w", err)
	}
	p.Mail, err = mail.Stats(ctx, q, e.TenantID, InvitationPrefix(e.ID))
	return p, err
}

// SendAll sends the event's requested invitations batch by batch until none is left, and returns how
// many it sent.
func (s *Service) SendAll(ctx context.Context, tenantID, eventID int64) (int, error) {
	total := 0
	for {
		n, err := s.SendBatch(ctx, tenantID, eventID)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// SendBatch sends up to BatchSize of the event's invitations not yet sent (those made before the last
// request), in one transaction: each gets a new token, its sent_at and its mail together, so a restart
// between batches sends neither twice nor never. Several servers may run it at once: on PostgreSQL
// each takes rows the others have not locked, and the guarded UPDATE skips a row sent meanwhile.
func (s *Service) SendBatch(ctx context.Context, tenantID, eventID int64) (int, error) {
	limit := s.BatchSize
	if limit <= 0 {
		limit = 500
	}
	lock := ""
	if s.Store.DB.Dialect == db.Postgres {
		lock = " FOR UPDATE OF i SKIP LOCKED"
	}
	tenant, err := s.Org.Store.Tenant(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	sent := 0
	err = s.Store.DB.Tx(ctx, func(tx *sql.Tx) error {
		sent = 0
		e, err := scanEvent(tx.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE tenant_id = $1 AND id = $2`, tenantID, eventID))
		if err != nil {
			return notFound(err)
		}
		if e.Cancelled() || e.SendRequestedAt == nil {
			return nil
		}
		rows, err := tx.QueryContext(ctx, agendaSelect+` WHERE a.event_id = $1 ORDER BY a.position`, e.ID)
		agenda, err := db.Collect(rows, err, scanAgendaItem)
		if err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+invitationColumns+invitationFrom+`
			WHERE i.event_id = $1 AND i.sent_at IS NULL AND i.created_at <= $2 ORDER BY i.id LIMIT $3`+lock,
			e.ID, e.SendRequestedAt.UTC(), limit)
		list, err := db.Collect(rows, err, scanInvitation)
		if err != nil {
			return fmt.Errorf("invitations to send: %w", err)
		}
		key, err := s.linkKey(ctx, tx)
		if err != nil {
			return err
		}
		now := s.sentNow()
		for _, inv := range list {
			token := invitationToken(key, inv.ID, now)
			res, err := tx.ExecContext(ctx, `UPDATE event_invitations SET token_hash = $1, sent_at = $2 WHERE id = $3 AND sent_at IS NULL`,
				HashToken(token), now, inv.ID)
			if ok, err := affected(res, err); err != nil || !ok {
				if err != nil {
					return fmt.Errorf("mark invitation sent: %w", err)
				}
				continue
			}
			sent++
			if m, ok := s.invitationMail(e, agenda, tenant.Name, inv, token); ok {
				if err := mail.Enqueue(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return sent, err
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// changeAnswer tells a later mail's reader how to change their answer: with the link when there is one.
func changeAnswer(link string) string {
	if link == "" {
		return "Kan du inte komma? Ändra ditt svar med länken i din inbjudan.\n"
	}
	return "Kan du inte komma? Ändra ditt svar med din personliga länk:\n" + link + "\n"
}

// AnswerURL is the invitee's personal link.
func (s *Service) AnswerURL(token string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/inbjudan/" + url.PathEscape(token)
}

// recipient is the invitee's address for a mail, or false when they have none (or it was erased).
func recipient(inv *Invitation) (string, bool) {
	if inv.ErasedAt != nil || !strings.Contains(inv.Email, "@") {
		return "", false
	}
	a := netmail.Address{Name: inv.DisplayName(), Address: inv.Email}
	if a.Name == inv.Email {
		a.Name = ""
	}
	return a.String(), true
}

// ICS is the event's calendar invitation for one invitee.
func (s *Service) ICS(e *Event, tenantName string, inv *Invitation) []byte {
	host := "vard"
	if u, err := url.Parse(s.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return mail.ICS(mail.Event{
		UID:           "event-" + strconv.FormatInt(e.ID, 10) + "@" + host,
		Sequence:      e.Sequence,
		Start:         e.StartsAt,
		End:           e.EndsAt,
		Summary:       e.Title,
		Location:      e.Place,
		Description:   e.Description,
		OrganizerName: tenantName,
		AttendeeEmail: strings.ToLower(inv.Email),
		Stamp:         s.Now(),
	})
}

func (s *Service) icsAttachment(e *Event, tenantName string, inv *Invitation) mail.Attachment {
	return mail.Attachment{Name: "evenemang.ics", ContentType: mail.ICSContentType, Content: s.ICS(e, tenantName, inv)}
}

// When writes the event's time in Swedish: "tisdag 12 maj 2026 kl. 09.00–16.00".
func When(e *Event) string {
	a, b := e.StartsAt.In(Stockholm), e.EndsAt.In(Stockholm)
	if a.Format("20060102") == b.Format("20060102") {
		return SwedishDate(a) + " kl. " + a.Format("15.04") + "–" + b.Format("15.04")
	}
	return SwedishDate(a) + " kl. " + a.Format("15.04") + " – " + SwedishDate(b) + " kl. " + b.Format("15.04")
}

var (
	weekdays = [...]string{"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"}
	months   = [...]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}
)

// SwedishDate writes a date in Swedish, "tisdag 12 maj 2026", in Stockholm time.
func SwedishDate(t time.Time) string {
	t = t.In(Stockholm)
	return weekdays[t.Weekday()] + " " + strconv.Itoa(t.Day()) + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// SwedishDateTime writes a moment in Swedish, "tisdag 12 maj 2026 kl. 09.00".
func SwedishDateTime(t time.Time) string {
	return SwedishDate(t) + " kl. " + t.In(Stockholm).Format("15.04")
}

func greeting(inv *Invitation) string {
	if inv.PersonID != 0 {
		if first, _, ok := strings.Cut(strings.TrimSpace(inv.Name), " "); ok && first != "" {
			return "Hej " + first + "!"
		}
	}
	if n := strings.TrimSpace(inv.GuestName); n != "" && !strings.Contains(n, "@") {
		return "Hej " + n + "!"
	}
	return "Hej!"
}

func (s *Service) invitationMail(e *Event, agenda []*AgendaItem, tenantName string, inv *Invitation, token string) (mail.Message, bool) {
	to, ok := recipient(inv)
	if !ok {
		return mail.Message{}, false
	}
	var b strings.Builder
	b.WriteString(greeting(inv) + "\n\n")
	fmt.Fprintf(&b, "Välkommen till %s!\n\n", e.Title)
	fmt.Fprintf(&b, "När: %s\n", When(e))
	if e.Place != "" {
		fmt.Fprintf(&b, "Var: %s\n", e.Place)
	}
	if e.Description != "" {
		b.WriteString("\n" + e.Description + "\n")
	}
	if len(agenda) > 0 {
		b.WriteString("\nProgram\n")
		for _, a := range agenda {
			line := "– "
			if a.StartsAt != nil {
				line += a.StartsAt.In(Stockholm).Format("15.04") + " "
			}
			line += a.Title
			if a.SpeakerName != "" {
				line += " (" + a.SpeakerName + ")"
			}
			b.WriteString(line + "\n")
		}
	}
	fmt.Fprintf(&b, "\nSvara senast %s via din personliga länk:\n%s\n", SwedishDateTime(e.Deadline()), s.AnswerURL(token))
	b.WriteString("Där kan du också berätta om kost och tillgänglighet, och ändra ditt svar fram till sista svarsdag.\n\n")
	fmt.Fprintf(&b, "Din incheckningskod: %s\nVisa koden, eller QR-koden på svarssidan, vid entrén.\n\n", inv.Code)
	b.WriteString("Länken är personlig. Vidarebefordra inte det här meddelandet.\n\n")
	b.WriteString(tenantName + "\n")
	return mail.Message{
		TenantID:    e.TenantID,
		DedupeKey:   InvitationPrefix(e.ID) + strconv.FormatInt(inv.ID, 10),
		To:          to,
		Subject:     "Inbjudan: " + oneLine(e.Title),
		Text:        b.String(),
		Attachments: []mail.Attachment{s.icsAttachment(e, tenantName, inv)},
	}, true
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (s *Service) cancelMail(e *Event, inv *Invitation) (mail.Message, bool) {
	to, ok := recipient(inv)
	if !ok {
		return mail.Message{}, false
	}
	text := greeting(inv) + "\n\n" + e.Title + " " + When(e) + " är inställt.\n\nVi ber om ursäkt för besväret.\n"
	return mail.Message{
		TenantID:  e.TenantID,
		DedupeKey: DedupePrefix(e.ID) + "cancel:" + strconv.FormatInt(inv.ID, 10),
		To:        to,
		Subject:   "Inställt: " + oneLine(e.Title),
		Text:      text,
	}, true
}

func (s *Service) promotedMail(e *Event, inv *Invitation, since time.Time, link string) (mail.Message, bool) {
	to, ok := recipient(inv)
	if !ok {
		return mail.Message{}, false
	}
	var b strings.Builder
	b.WriteString(greeting(inv) + "\n\n")
	fmt.Fprintf(&b, "En plats har blivit ledig och du har fått den: du är nu anmäld till %s.\n\n", e.Title)
	fmt.Fprintf(&b, "När: %s\n", When(e))
	if e.Place != "" {
		fmt.Fprintf(&b, "Var: %s\n", e.Place)
	}
	fmt.Fprintf(&b, "\nDin incheckningskod: %s\n", inv.Code)
	b.WriteString(changeAnswer(link) + "Platsen går då till nästa på väntelistan.\n")
	return mail.Message{
		TenantID: e.TenantID,
		// The time they joined the waitlist is part of the key: someone who moves up, gives the place
		// back and moves up again is told both times.
		DedupeKey: DedupePrefix(e.ID) + "up:" + strconv.FormatInt(inv.ID, 10) + ":" + strconv.FormatInt(since.UnixMicro(), 10),
		To:        to,
		Subject:   "Du har fått en plats: " + oneLine(e.Title),
		Text:      b.String(),
	}, true
}

func (s *Service) reminderMail(e *Event, tenantName string, inv *Invitation, link string) (mail.Message, bool) {
	to, ok := recipient(inv)
	if !ok {
		return mail.Message{}, false
	}
	var b strings.Builder
	b.WriteString(greeting(inv) + "\n\n")
	fmt.Fprintf(&b, "Välkommen till %s!\n\n", e.Title)
	fmt.Fprintf(&b, "När: %s\n", When(e))
	if e.Place != "" {
		fmt.Fprintf(&b, "Var: %s\n", e.Place)
	}
	fmt.Fprintf(&b, "\nDin incheckningskod: %s\nVisa koden, eller QR-koden på svarssidan, vid entrén.\n\n", inv.Code)
	b.WriteString(changeAnswer(link) + "\n" + tenantName + "\n")
	return mail.Message{
		TenantID:    e.TenantID,
		DedupeKey:   DedupePrefix(e.ID) + "rem:" + strconv.FormatInt(inv.ID, 10),
		To:          to,
		Subject:     "Påminnelse: " + oneLine(e.Title),
		Text:        b.String(),
		Attachments: []mail.Attachment{s.icsAttachment(e, tenantName, inv)},
	}, true
}
