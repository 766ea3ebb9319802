package events

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/vard-kommun/vard/internal/web"
)

// groupsRoutes registers the mingling groups' pages.
func (h *Handlers) groupsRoutes(rt *web.Router) {
	rt.Handle("GET /evenemang/{id}/grupper", web.Admin, h.groups)
	rt.Handle("POST /evenemang/{id}/grupper", web.Admin, h.formGroups)
	rt.Handle("GET /evenemang/{id}/grupper/utskrift", web.Admin, h.groupsPrint)
	rt.Handle("GET /evenemang/{id}/grupper/skarm", web.Admin, h.groupsScreen)
}

// groupsPage is what the groups pages show.
type groupsPage struct {
	Event  *Event
	Counts GroupCounts
	In     GroupInput
	Rounds []*GroupRound
	// Shown is the round on show (the last one unless ?runda= chooses); nil when there are none.
	Shown *GroupRound
	Sizes []int
	Whos  []GroupWho
}

// HasRound reports whether round n has groups.
func (p *groupsPage) HasRound(n int) bool { return n >= 1 && n <= len(p.Rounds) }

// Replacing is the confirmation's question: what forming the round again replaces.
func (p *groupsPage) Replacing() bool { return p.HasRound(p.In.Round + 1) }

// groupsEvent reads the event of the path for the viewer's kommun; another kommun's is not found.
func (h *Handlers) groupsEvent(r *http.Request) (*Event, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.svc.Event(r.Context(), web.ViewerFrom(r.Context()).TenantID, id)
}

// loadGroups reads the event, its counts and rounds, and the round asked for by ?runda=.
func (h *Handlers) loadGroups(r *http.Request) (*groupsPage, error) {
	e, err := h.groupsEvent(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	p := &groupsPage{Event: e, Sizes: []int{MinGroupSize, MaxGroupSize}, Whos: []GroupWho{GroupCheckedIn, GroupYes}}
	if p.Counts, err = h.svc.GroupCounts(ctx, e); err != nil {
		return nil, err
	}
	if p.Rounds, err = h.svc.GroupRounds(ctx, e); err != nil {
		return nil, err
	}
	if n := len(p.Rounds); n > 0 {
		p.Shown = p.Rounds[n-1]
		if k, err := strconv.Atoi(r.URL.Query().Get("runda")); err == nil && p.HasRound(k) {
			p.Shown = p.Rounds[k-1]
		}
	}
	// The form proposes the next round, with the event's group size, for those who have checked in
	// once anyone has.
	p.In = GroupInput{Who: GroupYes, Size: e.GroupSize, Round: min(len(p.Rounds)+1, MaxRounds)}
	if p.Counts.CheckedIn > 0 {
		p.In.Who = GroupCheckedIn
	}
	if p.In.Size < MinGroupSize || p.In.Size > MaxGroupSize {
		p.In.Size = DefaultGroupSize
	}
	return p, nil
}

func (h *Handlers) groups(w http.ResponseWriter, r *http.Request) error {
	p, err := h.loadGroups(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["groups.html"], p)
}

func (h *Handlers) formGroups(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	p, err := h.loadGroups(r)
	if err != nil {
		return err
	}
	p.In = GroupInput{Who: GroupWho(r.PostFormValue("who"))}
	p.In.Size, _ = strconv.Atoi(r.PostFormValue("size"))
	p.In.Round, _ = strconv.Atoi(r.PostFormValue("round"))
	replace := r.PostFormValue("replace") == "1"
	round, err := h.svc.FormGroups(r.Context(), p.Event, p.In, replace)
	var fe *web.Error
	switch {
	case errors.Is(err, ErrGroupsExist):
		// Destructive: the round's groups may already be printed, so ask before replacing them.
		return h.rd.Page(w, r, h.pages["groups_confirm.html"], p)
	case errors.As(err, &fe) && fe.Status == http.StatusUnprocessableEntity:
		return h.rd.PageStatus(w, r, h.pages["groups.html"], fe.Status, web.View{Data: p, Errors: fe.Fields, Message: fe.Message})
	case err != nil:
		return err
	}
	to := "/evenemang/" + strconv.FormatInt(p.Event.ID, 10) + "/grupper?runda=" + strconv.Itoa(round.Round)
	return web.Redirect(w, r, to, "Grupperna är bildade.")
}

func (h *Handlers) groupsPrint(w http.ResponseWriter, r *http.Request) error {
	p, err := h.loadGroups(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["groups_print.html"], p)
}

func (h *Handlers) groupsScreen(w http.ResponseWriter, r *http.Request) error {
	p, err := h.loadGroups(r)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["groups_screen.html"], p)
}

// Label is the choice's Swedish text on the groups page.
func (w GroupWho) Label() string {
	switch w {
	case GroupCheckedIn:
		return "De som har checkat in"
	case GroupYes:
		return "De som har svarat ja"
	}
	return string(w)
}

// englishGroups returns the mingling groups' pages' part of the English catalogue.
func englishGroups() map[string]string {
	return map[string]string{
		"Minglegrupper":                         "Mingling groups",
		"De som har checkat in":                 "Those who have checked in",
		"De som har svarat ja":                  "Those who said yes",
		"Vilka ska delas in?":                   "Who should be grouped?",
		"Gruppstorlek":                          "Group size",
		"personer per grupp":                    "people per group",
		"Runda":                                 "Round",
		"Runda 1":                               "Round 1",
		"Runda 2 samma dag":                     "Round 2 the same day",
		"Bilda grupper":                         "Form groups",
		"Grupperna är bildade.":                 "The groups are formed.",
		"Grupp":                                 "Group",
		"Gruppvärd":                             "Group host",
		"Gäst":                                  "Guest",
		"Personer":                              "People",
		"Grupper":                               "Groups",
		"Par från samma förvaltning":            "Pairs from the same department",
		"lägsta möjliga":                        "the fewest possible",
		"Par som har träffats förut":            "Pairs who have met before",
		"Skriv ut":                              "Print",
		"Visa på skärm":                         "Show on a screen",
		"Tillbaka till grupperna":               "Back to the groups",
		"Avbryt":                                "Cancel",
		"Ja, bilda nya grupper":                 "Yes, form new groups",
		"Ersätta grupperna?":                    "Replace the groups?",
		"Kontrollera uppgifterna i formuläret.": "Check the details in the form.",
		"Inga grupper ännu. Välj vilka som ska delas in och tryck på Bilda grupper.":                                                                           "No groups yet. Choose who should be grouped and press Form groups.",
		"Grupperna blandar förvaltningar och undviker att sätta ihop personer som har varit i samma grupp vid ett tidigare evenemang eller en tidigare runda.": "The groups mix departments and avoid putting together people who were in the same group at an earlier event or an earlier round.",
		"Runda %d har redan grupper. Bildas de igen får deltagarna nya grupper, och de gamla, som kanske redan är utskrivna, försvinner.":                      "Round %d already has groups. Forming them again gives the participants new groups, and the old ones, which may already be printed, disappear.",
		"Runda 2 bildades för att undvika runda 1 och ersätts också.":                                                                                          "Round 2 was formed to avoid round 1 and is replaced too.",
		"Ingen har checkat in ännu. Välj dem som har svarat ja.":                                                                                               "Nobody has checked in yet. Choose those who said yes.",
		"Ingen har svarat ja ännu.":              "Nobody has said yes yet.",
		"Välj vilka som ska delas in i grupper.": "Choose who should be grouped.",
		"Välj gruppstorlek 3 eller 4.":           "Choose group size 3 or 4.",
		"Välj runda 1 eller 2.":                  "Choose round 1 or 2.",
		"Bilda grupperna för runda 1 först.":     "Form the groups of round 1 first.",
		"Sammanfattning":                         "Summary",
		"Välj runda":                             "Choose round",
		"Förvaltning saknas":                     "No department",
	}
}
