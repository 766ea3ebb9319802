package auth

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers is the HTTP side of sign-in, sign-out, language choice and API tokens.
type Handlers struct {
	svc   *Service
	rd    *web.Renderer
	pages map[string]*template.Template
}

// NewHandlers parses the templates and registers the English catalogue.
func NewHandlers(svc *Service, rd *web.Renderer) *Handlers {
	rd.Catalog.Add(english)
	return &Handlers{svc: svc, rd: rd, pages: rd.MustPages(templates, "templates/*.html")}
}

// Routes registers the routes.
func (h *Handlers) Routes(rt *web.Router) {
	rt.Handle("GET /logga-in", web.Public, h.signInForm)
	rt.Handle("POST /logga-in", web.Public, h.signIn)
	rt.Handle("GET /logga-in/kommun", web.Public, h.findKommun)
	rt.Handle("POST /logga-ut", web.Public, h.signOut)
	rt.Handle("POST /sprak", web.Public, h.language)
	rt.Handle("GET /installningar", web.Admin, h.settings)
	rt.Handle("GET /installningar/api-nycklar", web.Admin, h.tokens)
	rt.Handle("POST /installningar/api-nycklar", web.Admin, h.createToken)
	rt.Handle("POST /installningar/api-nycklar/{id}/aterkalla", web.Admin, h.revokeToken)
}

type signInData struct {
	Email, Next string
}

func (h *Handlers) signInForm(w http.ResponseWriter, r *http.Request) error {
	return h.rd.Page(w, r, h.pages["signin.html"], signInData{Next: web.SafeNext(r.URL.Query().Get("next"))})
}

func (h *Handlers) signIn(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	data := signInData{Email: web.FormValue(r, "email"), Next: web.SafeNext(r.FormValue("next"))}
	token, err := h.svc.SignIn(r.Context(), data.Email, r.FormValue("password"), RemoteAddr(r))
	status := http.StatusUnauthorized
	switch {
	case errors.Is(err, ErrTooManyAttempts):
		status = http.StatusTooManyRequests
	case errors.Is(err, ErrBadCredentials):
	case err != nil:
		return err
	default:
		h.svc.SetSessionCookie(w, token)
		return web.Redirect(w, r, data.Next, "")
	}
	return h.rd.PageStatus(w, r, h.pages["signin.html"], status, web.View{Data: data, Message: err.Error()})
}

// findKommun sends a person who knows their kommun's short name to its own sign-in page, where single
// sign-on is offered when the kommun has it.
func (h *Handlers) findKommun(w http.ResponseWriter, r *http.Request) error {
	slug := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("kommun")))
	if slug == "" || strings.ContainsAny(slug, "/?#%\\") {
		return web.Redirect(w, r, "/logga-in", "Ange kommunens kortnamn.")
	}
	return web.Redirect(w, r, "/k/"+url.PathEscape(slug)+"/logga-in", "")
}

func (h *Handlers) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := h.svc.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	h.svc.ClearSessionCookie(w)
	return web.Redirect(w, r, "/logga-in", "Du är utloggad.")
}

func (h *Handlers) language(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	lang := "sv"
	if r.FormValue("lang") == "en" {
		lang = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
	return web.Redirect(w, r, web.SafeNext(r.FormValue("next")), "")
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) error {
	return h.rd.Page(w, r, h.pages["settings.html"], nil)
}

type tokensData struct {
	Tokens []APIToken
	// New is the token just created, shown once.
	New  string
	Name string
}

func (h *Handlers) tokens(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	list, err := h.svc.Tokens(r.Context(), v.TenantID)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["tokens.html"], tokensData{Tokens: list})
}

func (h *Handlers) createToken(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	v := web.ViewerFrom(r.Context())
	data := tokensData{Name: web.FormValue(r, "name")}
	token, err := h.svc.CreateToken(r.Context(), v.TenantID, data.Name)
	status := http.StatusOK
	view := web.View{}
	if errors.Is(err, ErrTokenName) {
		status = http.StatusUnprocessableEntity
		view.Errors = map[string]string{"name": err.Error()}
	} else if err != nil {
		return err
	} else {
		data.New, data.Name = token, ""
		view.Flash = "API-nyckeln är skapad. Kopiera den nu – den visas bara en gång."
	}
	if data.Tokens, err = h.svc.Tokens(r.Context(), v.TenantID); err != nil {
		return err
	}
	view.Data = data
	return h.rd.PageStatus(w, r, h.pages["tokens.html"], status, view)
}

func (h *Handlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := web.ID(r, "id")
	if err != nil {
		return err
	}
	err = h.svc.RevokeToken(r.Context(), web.ViewerFrom(r.Context()).TenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/installningar/api-nycklar", "API-nyckeln är återkallad.")
}

var english = map[string]string{
	"Kommunens kortnamn": "The municipality's short name",
	"Står i kommunens adress i Värd, till exempel exempelby i /k/exempelby.": "It is in the municipality's address in Värd, for example exempelby in /k/exempelby.",
	"Fortsätt":                 "Continue",
	"Ange kommunens kortnamn.": "Enter the municipality's short name.",
	"Inloggning":               "Sign-in",
	"Inloggning med organisationens konto (OIDC, t.ex. Microsoft Entra ID).":   "Sign-in with the organisation's account (OIDC, e.g. Microsoft Entra ID).",
	"Nycklar för intranät, HR-system och BI-verktyg som använder API:t.":       "Tokens for intranet, HR systems and BI tools that use the API.",
	"Fel e-postadress eller lösenord.":                                         "Wrong e-mail address or password.",
	"För många misslyckade inloggningsförsök. Vänta en kvart och försök igen.": "Too many failed sign-in attempts. Wait fifteen minutes and try again.",
	"E-postadress":           "E-mail address",
	"Lösenord":               "Password",
	"Du är utloggad.":        "You are signed out.",
	"API-nycklar":            "API tokens",
	"Namn":                   "Name",
	"Skapad":                 "Created",
	"Senast använd":          "Last used",
	"Status":                 "Status",
	"Aktiv":                  "Active",
	"Återkallad":             "Revoked",
	"Återkalla":              "Revoke",
	"Skapa nyckel":           "Create token",
	"Aldrig":                 "Never",
	"Ny API-nyckel":          "New API token",
	"Inga API-nycklar ännu.": "No API tokens yet.",
	"API-nyckeln är skapad. Kopiera den nu – den visas bara en gång.":                                 "The API token is created. Copy it now – it is shown only once.",
	"API-nyckeln är återkallad.":                                                                      "The API token is revoked.",
	"Ge nyckeln ett namn på högst 100 tecken, till exempel vad den används till.":                     "Give the token a name of at most 100 characters, for example what it is used for.",
	"Logga in med organisationens konto":                                                              "Sign in with your organisation's account",
	"Nycklar ger program (intranät, HR, BI) läsåtkomst till kommunens data via API:t. Dokumentation:": "Tokens give programs (intranet, HR, BI) access to the municipality's data through the API. Documentation:",
	"Den här nyckeln visas bara nu:":                                                                  "This token is shown only now:",
	"Vill du återkalla nyckeln? Program som använder den slutar fungera.":                             "Revoke the token? Programs that use it will stop working.",
}
