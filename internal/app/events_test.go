package app_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/events"
	"github.com/vard-kommun/vard/internal/org"
)

// agendaItemA returns an agenda item of kommun A's walk event, storing one the first time.
func (f *fixture) agendaItemA(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	eventID := f.anEventA(t)
	var id int64
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM event_agenda_items WHERE event_id = $1`, eventID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		if err := f.app.DB.Writer().QueryRowContext(ctx, `INSERT INTO event_agenda_items (event_id, position, title) VALUES ($1, 1, 'Välkommen') RETURNING id`,
			eventID).Scan(&id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// invitationA returns an invitation to kommun A's walk event, storing one the first time (and again
// after the walk has removed it).
func (f *fixture) invitationA(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	eventID := f.anEventA(t)
	var id int64
	if err := f.app.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM event_invitations WHERE event_id = $1`, eventID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		if err := f.app.DB.Writer().QueryRowContext(ctx, `INSERT INTO event_invitations (event_id, person_id, unit_id, token_hash, code, created_at)
			VALUES ($1, $2, $3, $4, 'WALKWALK', $5) RETURNING id`, eventID, f.victimA.ID, f.teamA.ID, "walk-"+itoa(eventID),
			f.app.Org.Store.Now()).Scan(&id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

var linkRE = regexp.MustCompile(`/inbjudan/([A-Za-z0-9_-]+)`)

// inviteeLinks reads the personal links from the queued invitation mails of an event, by address.
func (f *fixture) inviteeLinks(t *testing.T, eventID int64) map[string]string {
	t.Helper()
	rows, err := f.app.DB.Read().QueryContext(context.Background(), `SELECT to_address, text_body FROM mail_messages WHERE dedupe_key LIKE $1`,
		events.InvitationPrefix(eventID)+"%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var to, body string
		if err := rows.Scan(&to, &body); err != nil {
			t.Fatal(err)
		}
		if i := strings.LastIndex(to, "<"); i >= 0 {
			to = strings.Trim(to[i:], "<>")
		}
		if m := linkRE.FindStringSubmatch(body); m != nil {
			out[to] = "/inbjudan/" + m[1]
		}
	}
	return out
}

var eventIDRE = regexp.MustCompile(`^/evenemang/(\d+)$`)

func eventForm(kv ...string) url.Values {
	v := url.Values{"kind": {"ledarforum"}, "title": {"Ledarforum hösten"}, "place": {"Stadshuset"},
		"starts_date": {"2099-10-14"}, "starts_time": {"09:00"}, "ends_time": {"16:00"}, "capacity": {"2"},
		"deadline_date": {"2099-10-07"}, "group_size": {"4"}, "retention": {"30"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestEventPages(t *testing.T) {
	f := newFixture(t)
	// bad input in every field: 422 with a Swedish message, and the form again
	for _, c := range []struct {
		field, value, want string
	}{
		{"kind", "fest", "Välj typ av evenemang."},
		{"title", "", "Fyll i fältet."},
		{"title", strings.Repeat("x", 151), "högst 150 tecken"},
		{"description", strings.Repeat("x", 4001), "högst 4000 tecken"},
		{"place", strings.Repeat("x", 201), "högst 200 tecken"},
		{"starts_date", "14/10/2099", "Skriv datumet som ÅÅÅÅ-MM-DD."},
		{"starts_date", "", "Ange datumet."},
		{"starts_time", "9", "Skriv klockslaget som TT:MM."},
		{"ends_date", "2099-10-13", "Slutet måste komma efter starten."},
		{"ends_time", "25:00", "Skriv klockslaget som TT:MM."},
		{"capacity", "många", "Skriv ett heltal."},
		{"capacity", "-3", "Ange ett antal platser"},
		{"deadline_date", "2099-10-20", "Sista svarsdag måste vara före starten."},
		{"deadline_time", "kväll", "Skriv klockslaget som TT:MM."},
		{"group_size", "7", "Välj 3 eller 4 personer per grupp."},
		{"retention", "x", "Skriv ett heltal."},
		{"retention", "99999", "Ange ett antal dagar"},
	} {
		rec := f.do(t, scenario{as: admin, method: http.MethodPost, path: path("/evenemang/ny"), form: eventForm(c.field, c.value)})
		expect(t, c.field+"="+c.value, rec, http.StatusUnprocessableEntity, c.want, `id="`+c.field+`"`, "Kontrollera uppgifterna i formuläret.")
	}

	rec := f.do(t, scenario{as: admin, method: http.MethodPost, path: path("/evenemang/ny"), form: eventForm()})
	m := eventIDRE.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q\n%s", rec.Code, rec.Header().Get("Location"), firstLines(rec.Body.String(), 30))
	}
	base := "/evenemang/" + m[1]
	expect(t, "list", f.do(t, scenario{as: admin, path: path("/evenemang")}), http.StatusOK, "Ledarforum hösten", "Kommande")
	expect(t, "event", f.do(t, scenario{as: admin, path: path(base)}), http.StatusOK, "onsdag 14 oktober 2099 kl. 09.00–16.00", "0 av 2", "Programmet är tomt")
	expect(t, "edit form", f.do(t, scenario{as: admin, path: path(base + "/andra")}), http.StatusOK, `value="2099-10-14"`, `value="09:00"`)

	// another kommun's admin sees none of it
	adminB := func(f *fixture) *org.Person { return f.adminB }
	for _, p := range []string{base, base + "/inbjudna", base + "/skicka", base + "/deltagare.csv", base + "/andra"} {
		expect(t, "B "+p, f.do(t, scenario{as: adminB, path: path(p)}), http.StatusNotFound)
	}
	expect(t, "B edit", f.do(t, scenario{as: adminB, method: http.MethodPost, path: path(base + "/andra"), form: eventForm()}), http.StatusNotFound)
	// the chef and the employee are no organisers
	expect(t, "chef", f.do(t, scenario{as: chef, path: path("/evenemang")}), http.StatusForbidden)

	// the agenda: search a speaker, add, edit, reorder, delete
	rec = f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/program"),
		form: url.Values{"action": {"sok"}, "speaker_query": {"cecilia"}, "item_title": {"Inledning"}, "item_time": {"09:00"}}})
	expect(t, "speaker search", rec, http.StatusOK, "Cecilia Testsson", `value="Inledning"`)
	expect(t, "agenda bad time", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/program"),
		form: url.Values{"action": {"spara"}, "item_title": {"Inledning"}, "item_time": {"nio"}}}), http.StatusUnprocessableEntity, "Skriv klockslaget som TT:MM.")
	expect(t, "agenda no title", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/program"),
		form: url.Values{"action": {"spara"}, "item_title": {""}}}), http.StatusUnprocessableEntity, "Fyll i fältet.")
	expect(t, "agenda foreign speaker", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/program"),
		form: url.Values{"action": {"spara"}, "item_title": {"x"}, "speaker": {itoa(f.adminB.ID)}}}), http.StatusUnprocessableEntity, "Välj en person i kommunen")
	for _, item := range []url.Values{
		{"action": {"spara"}, "item_title": {"Inledning"}, "item_time": {"09:00"}, "speaker": {itoa(f.chefA.ID)}},
		{"action": {"spara"}, "item_title": {"Mingel"}, "item_time": {"10:00"}, "speaker_name": {"Gästföreläsare Greta"}},
	} {
		expect(t, "agenda add", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/program"), form: item}), http.StatusSeeOther)
	}
	var first, second int64
	if err := f.app.DB.Read().QueryRowContext(context.Background(), `SELECT MIN(id), MAX(id) FROM event_agenda_items WHERE event_id = $1`, m[1]).Scan(&first, &second); err != nil {
		t.Fatal(err)
	}
	expect(t, "agenda down", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/program/" + itoa(first) + "/ner")}), http.StatusSeeOther)
	rec = f.do(t, scenario{as: admin, path: path(base)})
	expect(t, "agenda order", rec, http.StatusOK, "Cecilia Testsson", "Gästföreläsare Greta")
	if body := rec.Body.String(); strings.Index(body, "Mingel") > strings.Index(body, "Inledning") {
		t.Errorf("Mingel is not first after moving Inledning down")
	}
	expect(t, "agenda edit form", f.do(t, scenario{as: admin, path: path(base + "/program/" + itoa(second))}), http.StatusOK, `value="Mingel"`)
	expect(t, "agenda edit", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/program/" + itoa(second)),
		form: url.Values{"action": {"spara"}, "item_title": {"Mingel i grupper"}, "item_time": {"10:30"}}}), http.StatusSeeOther)
	expect(t, "agenda delete confirm", f.do(t, scenario{as: admin, path: path(base + "/program/" + itoa(second) + "/ta-bort")}), http.StatusOK, "Ta bort programpunkten?", "Mingel i grupper")
	expect(t, "agenda delete", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/program/" + itoa(second) + "/ta-bort")}), http.StatusSeeOther)
	expect(t, "agenda of B's event", f.do(t, scenario{as: adminB, path: path(base + "/program/" + itoa(first))}), http.StatusNotFound)

	// invitees: bad input, search, preview, add
	inv := base + "/inbjudna"
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"action": {"forhandsgranska"}}, "Välj vilka som ska bjudas in"},
		{url.Values{"action": {"forhandsgranska"}, "person": {"abc"}}, "Välj bland personerna i sökresultatet."},
		{url.Values{"action": {"forhandsgranska"}, "person": {itoa(f.adminB.ID)}}, "Välj bland personerna i sökresultatet."},
		{url.Values{"action": {"forhandsgranska"}, "unit": {"-1"}}, "Välj bland enheterna i listan."},
		{url.Values{"action": {"forhandsgranska"}, "unit": {"999999"}}, "Välj bland enheterna i listan."},
		{url.Values{"action": {"forhandsgranska"}, "role": {"kung"}}, "Välj bland rollerna i listan."},
		{url.Values{"action": {"forhandsgranska"}, "guests": {"Greta utan adress"}}, "Rad 1: skriv namn och e-postadress"},
		{url.Values{"action": {"lagg-till"}, "guests": {"g@f.se"}, "organisation": {strings.Repeat("x", 151)}}, "högst 150 tecken"},
	} {
		expect(t, "invitees "+c.form.Encode(), f.do(t, scenario{as: admin, method: http.MethodPost, path: path(inv), form: c.form}), http.StatusUnprocessableEntity, c.want)
	}
	expect(t, "people search", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(inv), form: url.Values{"action": {"sok"}, "people_query": {"vera"}}}),
		http.StatusOK, "Vera Testsson")
	sel := url.Values{"unit": {itoa(f.unitA.ID)}, "guests": {"Greta Gäst <greta@foretag.example>"}, "organisation": {"Företaget AB"}}
	sel.Set("action", "forhandsgranska")
	expect(t, "preview", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(inv), form: sel}), http.StatusOK, "4 nya inbjudna läggs till", `value="lagg-till"`)
	sel.Set("action", "lagg-till")
	expect(t, "add", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(inv), form: sel}), http.StatusSeeOther)
	sel.Set("action", "forhandsgranska")
	expect(t, "preview again", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(inv), form: sel}), http.StatusOK, "0 nya inbjudna läggs till", "4 är redan inbjudna")
	expect(t, "invitee list", f.do(t, scenario{as: admin, path: path(inv)}), http.StatusOK, "Cecilia Testsson", "Erik Testsson", "Vera Testsson", "Greta Gäst", "Företaget AB", "Inte skickad")
	expect(t, "invitee filter", f.do(t, scenario{as: admin, path: path(inv + "?status=yes")}), http.StatusOK, "Ingen inbjuden matchar urvalet.")
	expect(t, "invitee bad filter", f.do(t, scenario{as: admin, path: path(inv + "?status=%ff&q=%00")}), http.StatusOK)

	// hosts and removal, with a confirmation
	var veraInv, erikInv int64
	ctx := context.Background()
	f.app.DB.Read().QueryRowContext(ctx, `SELECT id FROM event_invitations WHERE event_id = $1 AND person_id = $2`, m[1], f.victimA.ID).Scan(&veraInv)
	f.app.DB.Read().QueryRowContext(ctx, `SELECT id FROM event_invitations WHERE event_id = $1 AND person_id = $2`, m[1], f.employeeA.ID).Scan(&erikInv)
	expect(t, "host", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(inv + "/" + itoa(veraInv) + "/vard"), form: url.Values{"host": {"1"}}}), http.StatusSeeOther)
	expect(t, "host list", f.do(t, scenario{as: admin, path: path(inv)}), http.StatusOK, "Ta bort som värd")
	expect(t, "remove confirm", f.do(t, scenario{as: admin, path: path(inv + "/" + itoa(erikInv) + "/ta-bort")}), http.StatusOK, "Ta bort den inbjudna?", "Erik Testsson")
	expect(t, "remove", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(inv + "/" + itoa(erikInv) + "/ta-bort")}), http.StatusSeeOther)
	expect(t, "remove again", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(inv + "/" + itoa(erikInv) + "/ta-bort")}), http.StatusNotFound)
	expect(t, "B's remove", f.do(t, scenario{as: adminB, method: http.MethodPost, path: path(inv + "/" + itoa(veraInv) + "/ta-bort")}), http.StatusNotFound)

	// sending
	expect(t, "send page", f.do(t, scenario{as: admin, path: path(base + "/skicka")}), http.StatusOK, "Skicka 3 inbjudningar")
	expect(t, "send", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/skicka")}), http.StatusSeeOther)
	expect(t, "send progress", f.do(t, scenario{as: admin, path: path(base + "/skicka")}), http.StatusOK, "Alla inbjudningar är skickade.", `<progress id="mail-progress" max="3" value="0"`, "Uppdatera förloppet")
	links := f.inviteeLinks(t, mustID(t, m[1]))
	if len(links) != 3 {
		t.Fatalf("links %v, want 3", links)
	}

	// the invitees answer: two places, so the third waits
	for _, who := range []string{"vera@a.example", "chef@a.example"} {
		rec := f.do(t, scenario{method: http.MethodPost, path: path(links[who]), form: url.Values{"status": {"yes"}, "diet": {"Vegetariskt"}}})
		expect(t, who+" answers", rec, http.StatusSeeOther)
	}
	rec = f.do(t, scenario{method: http.MethodPost, path: path(links["greta@foretag.example"]), form: url.Values{"status": {"yes"}, "accessibility": {"Rullstol"}}})
	expect(t, "greta answers", rec, http.StatusSeeOther)
	expect(t, "greta's page", f.do(t, scenario{path: path(links["greta@foretag.example"])}), http.StatusOK, "väntelistan, plats", "1.", "Rullstol", `class="qr"`)
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"status": {"kanske"}}, "Välj om du kommer."},
		{url.Values{"status": {"yes"}, "diet": {strings.Repeat("x", 501)}}, "högst 500 tecken"},
		{url.Values{"status": {"yes"}, "accessibility": {strings.Repeat("x", 501)}}, "högst 500 tecken"},
	} {
		expect(t, "bad answer", f.do(t, scenario{method: http.MethodPost, path: path(links["vera@a.example"]), form: c.form}), http.StatusUnprocessableEntity, c.want)
	}
	expect(t, "forged link", f.do(t, scenario{path: path("/inbjudan/" + strings.Repeat("A", 43))}), http.StatusNotFound)
	expect(t, "forged answer", f.do(t, scenario{method: http.MethodPost, path: path("/inbjudan/" + strings.Repeat("A", 43)), form: url.Values{"status": {"yes"}}}), http.StatusNotFound)

	// exports
	rec = f.do(t, scenario{as: admin, path: path(base + "/deltagare.csv")})
	expect(t, "csv", rec, http.StatusOK, "Namn;Förvaltning;", "Vera Testsson;Socialförvaltningen;Team Öst;Ja;Vegetariskt;;Nej", "Greta Gäst;;Företaget AB;Väntelista")
	if !bytes.HasPrefix(rec.Body.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Error("the CSV has no byte order mark")
	}
	rec = f.do(t, scenario{as: admin, path: path(base + "/deltagare.xlsx")})
	if rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
		t.Errorf("xlsx: %d %q", rec.Code, firstLines(rec.Body.String(), 1))
	}

	// attendance
	expect(t, "attendance", f.do(t, scenario{as: admin, path: path("/evenemang/narvaro?ar=2099")}), http.StatusOK, "Socialförvaltningen", "Externa gäster och personer utan enhet")
	expect(t, "attendance bad year", f.do(t, scenario{as: admin, path: path("/evenemang/narvaro?ar=abc")}), http.StatusBadRequest)

	// cancelling, with a confirmation; the links then answer 410
	expect(t, "cancel confirm", f.do(t, scenario{as: admin, path: path(base + "/stall-in")}), http.StatusOK, "Ställa in evenemanget?")
	expect(t, "cancel", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/stall-in")}), http.StatusSeeOther)
	expect(t, "cancelled link", f.do(t, scenario{path: path(links["vera@a.example"])}), http.StatusGone, "Evenemanget är inställt.")
	expect(t, "edit cancelled", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/andra"), form: eventForm()}), http.StatusBadRequest)
}

// TestInvitationLinkOpensOnlyItsOwn: a personal link shows its own invitation, never another's.
func TestInvitationLinkOpensOnlyItsOwn(t *testing.T) {
	f := newFixture(t)
	rec := f.do(t, scenario{as: admin, method: http.MethodPost, path: path("/evenemang/ny"), form: eventForm("capacity", "")})
	m := eventIDRE.FindStringSubmatch(rec.Header().Get("Location"))
	if m == nil {
		t.Fatalf("create: %d", rec.Code)
	}
	base := "/evenemang/" + m[1]
	form := url.Values{"action": {"lagg-till"}, "person": {itoa(f.victimA.ID), itoa(f.employeeA.ID)}}
	expect(t, "add", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/inbjudna"), form: form}), http.StatusSeeOther)
	expect(t, "send", f.do(t, scenario{as: admin, method: http.MethodPost, path: path(base + "/skicka")}), http.StatusSeeOther)
	links := f.inviteeLinks(t, mustID(t, m[1]))
	vera, erik := links["vera@a.example"], links["medarbetare@a.example"]
	if vera == "" || erik == "" || vera == erik {
		t.Fatalf("links %v", links)
	}
	var veraCode, erikCode string
	ctx := context.Background()
	f.app.DB.Read().QueryRowContext(ctx, `SELECT code FROM event_invitations WHERE person_id = $1`, f.victimA.ID).Scan(&veraCode)
	f.app.DB.Read().QueryRowContext(ctx, `SELECT code FROM event_invitations WHERE person_id = $1`, f.employeeA.ID).Scan(&erikCode)
	rec = f.do(t, scenario{path: path(vera)})
	expect(t, "vera's page", rec, http.StatusOK, "Vera Testsson", veraCode)
	if strings.Contains(rec.Body.String(), "Erik") || strings.Contains(rec.Body.String(), erikCode) {
		t.Error("Vera's link shows Erik's invitation")
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("the personal page may be cached")
	}
	// answering through Vera's link changes only Vera's invitation
	expect(t, "vera answers", f.do(t, scenario{method: http.MethodPost, path: path(vera), form: url.Values{"status": {"no"}}}), http.StatusSeeOther)
	expect(t, "erik's page", f.do(t, scenario{path: path(erik)}), http.StatusOK, "Erik Testsson", "Du har inte svarat ännu.")
	// a session does not open someone else's link either: the token is the only key
	expect(t, "signed in elsewhere", f.do(t, scenario{as: employee, path: path(vera)}), http.StatusOK, "Vera Testsson")
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	for _, r := range s {
		id = id*10 + int64(r-'0')
	}
	return id
}
