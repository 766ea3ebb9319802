package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// OIDCSettings is a kommun's single sign-on configuration as auth needs it.
type OIDCSettings struct {
	Enabled      bool
	Issuer       string
	ClientID     string
	ClientSecret string
}

// Directory is what sign-in needs to know of the organisation; org.Service provides it.
type Directory interface {
	// TenantOIDC returns the id and OIDC settings of the kommun with the slug.
	TenantOIDC(ctx context.Context, slug string) (tenantID int64, settings OIDCSettings, err error)
	// TenantOIDCByID returns the OIDC settings of the kommun with the id.
	TenantOIDCByID(ctx context.Context, tenantID int64) (OIDCSettings, error)
	// SetTenantOIDC stores the OIDC settings of the kommun with the id; auth has validated them.
	SetTenantOIDC(ctx context.Context, tenantID int64, s OIDCSettings) error
	// ActivePersonByEmail returns the id of the kommun's active person with the e-mail address.
	ActivePersonByEmail(ctx context.Context, tenantID int64, email string) (int64, error)
}

// OIDC timings.
const (
	// oidcLoginTTL is how long a started sign-in may take before its state is refused and removed.
	oidcLoginTTL = 10 * time.Minute
	// providerTTL is how long a discovered provider (endpoints and key set) is kept in memory.
	providerTTL = time.Hour
	// discoveryTimeout bounds the check of an issuer when an admin saves the settings.
	discoveryTimeout = 5 * time.Second
)

// oidcCookie binds a started sign-in to the browser that started it, so that a callback link made by
// someone else (login CSRF) is refused even though its state is valid.
const oidcCookie = "vard_oidc"

// callbackPath is the one redirect URI for every kommun; the state says which kommun a sign-in is for.
const callbackPath = "/logga-in/sso/callback"

// OIDCHandlers signs people in through their kommun's OpenID Connect provider (e.g. Microsoft Entra ID).
type OIDCHandlers struct {
	svc       *Service
	dir       Directory
	rd        *web.Renderer
	baseURL   string
	pages     map[string]*template.Template
	providers *providerCache
	// client makes the calls to the providers (discovery, keys, token exchange).
	client *http.Client
}

// NewOIDCHandlers returns the OIDC sign-in handlers; baseURL is where people reach the site, and the
// callback URL registered at each provider is baseURL + "/logga-in/sso/callback".
func NewOIDCHandlers(svc *Service, dir Directory, rd *web.Renderer, baseURL string) *OIDCHandlers {
	rd.Catalog.Add(oidcEnglish)
	client := &http.Client{Timeout: 10 * time.Second}
	return &OIDCHandlers{svc: svc, dir: dir, rd: rd, baseURL: strings.TrimSuffix(baseURL, "/"),
		pages: rd.MustPages(templates, "templates/oidc*.html"), client: client,
		providers: &providerCache{ttl: providerTTL, now: time.Now, entries: map[string]cachedProvider{}}}
}

// Routes registers the routes.
func (h *OIDCHandlers) Routes(rt *web.Router) {
	rt.Handle("GET /k/{slug}/logga-in", web.Public, h.signInPage)
	rt.Handle("GET /k/{slug}/logga-in/sso", web.Public, h.start)
	rt.Handle("GET "+callbackPath, web.Public, h.callback)
	rt.Handle("GET /installningar/inloggning", web.Admin, h.settings)
	rt.Handle("POST /installningar/inloggning", web.Admin, h.saveSettings)
}

// CallbackURL is the redirect URI to register at every kommun's provider.
func (h *OIDCHandlers) CallbackURL() string { return h.baseURL + callbackPath }

// providerCache keeps discovered providers per issuer for a while. It is only a cache: every server
// instance discovers for itself, so nothing is lost when a request lands on another instance.
type providerCache struct {
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]cachedProvider
}

type cachedProvider struct {
	p  *oidc.Provider
	at time.Time
}

// get returns the provider of the issuer, discovering it when it is not cached or has grown old.
func (c *providerCache) get(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	e, ok := c.entries[issuer]
	c.mu.Unlock()
	if ok && c.now().Sub(e.at) < c.ttl {
		return e.p, nil
	}
	return c.discover(ctx, issuer)
}

// discover fetches the issuer's configuration afresh and caches it; a failure is not cached.
func (c *providerCache) discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.entries[issuer] = cachedProvider{p: p, at: c.now()}
	c.mu.Unlock()
	return p, nil
}

// providerContext makes go-oidc and oauth2 use the handlers' client with its timeout.
func (h *OIDCHandlers) providerContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, h.client)
}

func (h *OIDCHandlers) oauthConfig(p *oidc.Provider, s OIDCSettings) *oauth2.Config {
	return &oauth2.Config{ClientID: s.ClientID, ClientSecret: s.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: h.CallbackURL(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// usable reports whether a kommun's settings allow signing in through its provider.
func (s OIDCSettings) usable() bool { return s.Enabled && s.Issuer != "" && s.ClientID != "" }

// --- the kommun's own sign-in page

type oidcSignInData struct {
	Slug, TenantName, Next string
	SSO                    bool
}

func (h *OIDCHandlers) signInPage(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	_, s, err := h.dir.TenantOIDC(r.Context(), slug)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	data := oidcSignInData{Slug: slug, SSO: s.usable(), Next: web.SafeNext(r.URL.Query().Get("next"))}
	// The kommun's name is read beside its slug as the session lookup in auth.go does; the Directory
	// offers no name, and one column does not warrant widening it.
	err = h.svc.DB.Read().QueryRowContext(r.Context(), `SELECT name FROM tenants WHERE slug = $1`, slug).Scan(&data.TenantName)
	if errors.Is(err, sql.ErrNoRows) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["oidc_signin.html"], data)
}

// --- sign-in through the provider

func (h *OIDCHandlers) start(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	tenantID, s, err := h.dir.TenantOIDC(ctx, r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) || (err == nil && !s.usable()) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	p, err := h.providers.get(h.providerContext(ctx), s.Issuer)
	if err != nil {
		h.svc.Log.WarnContext(ctx, "oidc discovery failed", "tenant", tenantID, "issuer", s.Issuer, "err", err)
		return h.failure(w, r, http.StatusBadGateway, msgUnreachable, "")
	}
	state, nonce, verifier := Token(), Token(), oauth2.GenerateVerifier()
	now := h.svc.Now()
	err = h.svc.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_logins WHERE created_at < $1`, now.Add(-oidcLoginTTL)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO oidc_logins (state, tenant_id, nonce, verifier, created_at) VALUES ($1, $2, $3, $4, $5)`,
			HashToken(state), tenantID, nonce, verifier, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store oidc login: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state, Path: "/logga-in/sso", HttpOnly: true,
		Secure: h.svc.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(oidcLoginTTL.Seconds())})
	to := h.oauthConfig(p, s).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

// Messages of a sign-in that failed; the ones with %s get the e-mail address.
const (
	msgExpired      = "Inloggningen har gått ut eller redan använts. Försök igen."
	msgUnreachable  = "Kommunens inloggningstjänst går inte att nå just nu. Försök igen om en stund eller logga in med lösenord."
	msgDenied       = "Inloggningen avbröts eller nekades hos kommunens inloggningstjänst."
	msgProviderErr  = "Kommunens inloggningstjänst kunde inte logga in dig. Försök igen, eller kontakta kommunens administratör om felet kvarstår."
	msgBadResponse  = "Svaret från kommunens inloggningstjänst kunde inte godkännas. Försök igen."
	msgNoEmail      = "Inloggningstjänsten skickade ingen e-postadress. Kontakta kommunens administratör."
	msgUnverified   = "E-postadressen %s är inte verifierad hos inloggningstjänsten. Kontakta kommunens administratör."
	msgNoAccount    = "Det finns inget aktivt konto för e-postadressen %s i kommunen. Kontakta kommunens administratör."
	msgSSODisabled  = "Inloggning med organisationens konto är inte påslagen för kommunen."
	msgSettingsSave = "Inställningarna för inloggning är sparade."
)

type oidcFailure struct {
	Message, Email string
}

// failure shows why a sign-in failed, with a way back to the sign-in page; it ends the sign-in.
func (h *OIDCHandlers) failure(w http.ResponseWriter, r *http.Request, status int, msg, email string) error {
	h.clearCookie(w)
	return h.rd.PageStatus(w, r, h.pages["oidc_error.html"], status, web.View{Data: oidcFailure{Message: msg, Email: email}})
}

func (h *OIDCHandlers) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: "/logga-in/sso", HttpOnly: true, Secure: h.svc.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

type oidcLogin struct {
	tenantID        int64
	nonce, verifier string
}

// consumeLogin removes the started sign-in with the state and returns it; an unknown, expired or already
// used state gives ok false. Deleting and reading in one statement means two callbacks with the same
// state cannot both succeed.
func (h *OIDCHandlers) consumeLogin(ctx context.Context, state string) (l oidcLogin, ok bool, err error) {
	now := h.svc.Now()
	err = h.svc.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_logins WHERE created_at < $1`, now.Add(-oidcLoginTTL)); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `DELETE FROM oidc_logins WHERE state = $1 RETURNING tenant_id, nonce, verifier`, HashToken(state)).
			Scan(&l.tenantID, &l.nonce, &l.verifier)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		ok = err == nil
		return err
	})
	return l, ok, err
}

func (h *OIDCHandlers) callback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	state := q.Get("state")
	c, cerr := r.Cookie(oidcCookie)
	if state == "" || cerr != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		return h.failure(w, r, http.StatusBadRequest, msgExpired, "")
	}
	login, ok, err := h.consumeLogin(ctx, state)
	if err != nil {
		return err
	}
	if !ok {
		return h.failure(w, r, http.StatusBadRequest, msgExpired, "")
	}
	if e := q.Get("error"); e != "" {
		h.svc.Log.InfoContext(ctx, "oidc provider returned an error", "tenant", login.tenantID, "error", e,
			"description", q.Get("error_description"))
		if e == "access_denied" {
			return h.failure(w, r, http.StatusForbidden, msgDenied, "")
		}
		return h.failure(w, r, http.StatusBadGateway, msgProviderErr, "")
	}
	s, err := h.dir.TenantOIDCByID(ctx, login.tenantID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !s.usable()) {
		return h.failure(w, r, http.StatusForbidden, msgSSODisabled, "")
	}
	if err != nil {
		return err
	}
	pctx := h.providerContext(ctx)
	p, err := h.providers.get(pctx, s.Issuer)
	if err != nil {
		h.svc.Log.WarnContext(ctx, "oidc discovery failed", "tenant", login.tenantID, "issuer", s.Issuer, "err", err)
		return h.failure(w, r, http.StatusBadGateway, msgUnreachable, "")
	}
	claims, err := h.verify(pctx, p, s, login, q.Get("code"))
	if err != nil {
		h.svc.Log.WarnContext(ctx, "oidc sign-in refused", "tenant", login.tenantID, "issuer", s.Issuer, "err", err)
		return h.failure(w, r, http.StatusBadRequest, msgBadResponse, "")
	}
	email, verified := claims.address()
	switch {
	case email == "":
		return h.failure(w, r, http.StatusForbidden, msgNoEmail, "")
	case !verified:
		return h.failure(w, r, http.StatusForbidden, msgUnverified, email)
	}
	personID, err := h.dir.ActivePersonByEmail(ctx, login.tenantID, email)
	if errors.Is(err, db.ErrNotFound) {
		return h.failure(w, r, http.StatusForbidden, msgNoAccount, email)
	}
	if err != nil {
		return err
	}
	token, err := h.svc.NewSession(ctx, personID, 0)
	if err != nil {
		return err
	}
	h.clearCookie(w)
	h.svc.SetSessionCookie(w, token)
	return web.Redirect(w, r, "/", "")
}

// verify exchanges the code (with the PKCE verifier) and checks the ID token: signature, issuer,
// audience, expiry, and that its nonce is the one this sign-in sent.
func (h *OIDCHandlers) verify(ctx context.Context, p *oidc.Provider, s OIDCSettings, l oidcLogin, code string) (*idClaims, error) {
	if code == "" {
		return nil, errors.New("no code in callback")
	}
	tok, err := h.oauthConfig(p, s).Exchange(ctx, code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		return nil, fmt.Errorf("exchange code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, errors.New("no id_token in token response")
	}
	idt, err := p.VerifierContext(ctx, &oidc.Config{ClientID: s.ClientID, Now: h.svc.Now}).Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.nonce)) != 1 {
		return nil, errors.New("id token nonce does not match")
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		return nil, fmt.Errorf("id token claims: %w", err)
	}
	return &c, nil
}

// idClaims are the ID token claims that name the person.
type idClaims struct {
	Email string `json:"email"`
	// EmailVerified is a boolean, but some providers send the string "true".
	EmailVerified     json.RawMessage `json:"email_verified"`
	PreferredUsername string          `json:"preferred_username"`
	UPN               string          `json:"upn"`
}

// address returns the person's e-mail address in lower case, and whether the provider vouches for it.
// The email claim comes first and must not be marked unverified. Entra ID often leaves it out and names
// the person by preferred_username or upn, which are the work address in a kommun's directory; they are
// used when they look like an e-mail address.
func (c *idClaims) address() (email string, verified bool) {
	if e := strings.ToLower(strings.TrimSpace(c.Email)); e != "" {
		v := strings.Trim(strings.ToLower(string(c.EmailVerified)), `"`)
		return e, v != "false"
	}
	for _, s := range []string{c.PreferredUsername, c.UPN} {
		if s = strings.ToLower(strings.TrimSpace(s)); looksLikeEmail(s) {
			return s, true
		}
	}
	return "", false
}

func looksLikeEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".")
}

// --- the kommunadmin's settings

type oidcSettingsData struct {
	Enabled          bool
	Issuer, ClientID string
	HasSecret        bool
	CallbackURL      string
	SignInURL        string
	// DiscoveryDetail is the technical reason discovery failed, for the admin who talks to IT.
	DiscoveryDetail string
}

func (h *OIDCHandlers) settingsData(v *web.Viewer, s OIDCSettings) oidcSettingsData {
	return oidcSettingsData{Enabled: s.Enabled, Issuer: s.Issuer, ClientID: s.ClientID, HasSecret: s.ClientSecret != "",
		CallbackURL: h.CallbackURL(), SignInURL: h.baseURL + "/k/" + v.TenantSlug + "/logga-in"}
}

func (h *OIDCHandlers) settings(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerFrom(r.Context())
	s, err := h.dir.TenantOIDCByID(r.Context(), v.TenantID)
	if err != nil {
		return err
	}
	return h.rd.Page(w, r, h.pages["oidc_settings.html"], h.settingsData(v, s))
}

// Validation messages of the settings form.
const (
	msgIssuerMissing   = "Ange utfärdarens adress (issuer), till exempel https://login.microsoftonline.com/<katalog-id>/v2.0."
	msgIssuerScheme    = "Adressen måste börja med https:// (http:// går bara för localhost och 127.0.0.1 vid test)."
	msgIssuerInvalid   = "Ange en fullständig adress utan frågetecken och #, till exempel https://login.microsoftonline.com/<katalog-id>/v2.0."
	msgClientIDMissing = "Ange klient-id (Application/client ID) från inloggningstjänsten."
	msgSecretMissing   = "Ange klienthemligheten (client secret) från inloggningstjänsten."
	msgTooLong         = "Texten är för lång."
	msgBadChars        = "Texten innehåller otillåtna tecken."
	msgUnreachableSave = "Det gick inte att hämta inloggningstjänstens konfiguration från adressen. Kontrollera adressen och att tjänsten går att nå från Värds server."
)

func (h *OIDCHandlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	v := web.ViewerFrom(ctx)
	stored, err := h.dir.TenantOIDCByID(ctx, v.TenantID)
	if err != nil {
		return err
	}
	in := OIDCSettings{Enabled: r.FormValue("enabled") != "", Issuer: web.FormValue(r, "issuer"),
		ClientID: web.FormValue(r, "client_id"), ClientSecret: web.FormValue(r, "client_secret")}
	// The secret is write-only: a blank field keeps the one stored.
	if in.ClientSecret == "" {
		in.ClientSecret = stored.ClientSecret
	}
	errs := checkOIDCSettings(in)
	data := h.settingsData(v, in)
	if len(errs) == 0 && in.Enabled {
		dctx, cancel := context.WithTimeout(h.providerContext(ctx), discoveryTimeout)
		_, err := h.providers.discover(dctx, in.Issuer)
		cancel()
		if err != nil {
			errs["issuer"] = msgUnreachableSave
			data.DiscoveryDetail = err.Error()
			if len(data.DiscoveryDetail) > 300 { // go-oidc quotes the start of an unexpected answer
				data.DiscoveryDetail = strings.ToValidUTF8(data.DiscoveryDetail[:300], "") + "…"
			}
		}
	}
	if len(errs) > 0 {
		// HasSecret tells whether a secret is stored, never which; one typed into a refused form is not
		// kept, so that nothing but a successful save ever holds it.
		data.HasSecret = stored.ClientSecret != ""
		return h.rd.PageStatus(w, r, h.pages["oidc_settings.html"], http.StatusUnprocessableEntity,
			web.View{Data: data, Errors: errs, Message: "Kontrollera uppgifterna i formuläret."})
	}
	if err := h.dir.SetTenantOIDC(ctx, v.TenantID, in); err != nil {
		return err
	}
	return web.Redirect(w, r, "/installningar/inloggning", msgSettingsSave)
}

// checkOIDCSettings returns a message per field that is not acceptable. Settings that are switched off
// may be incomplete (an admin prepares them), but what is filled in must still be well-formed.
func checkOIDCSettings(s OIDCSettings) map[string]string {
	errs := map[string]string{}
	switch {
	case s.Issuer == "" && s.Enabled:
		errs["issuer"] = msgIssuerMissing
	case s.Issuer != "":
		if msg := checkIssuer(s.Issuer); msg != "" {
			errs["issuer"] = msg
		}
	}
	switch {
	case s.ClientID == "" && s.Enabled:
		errs["client_id"] = msgClientIDMissing
	case utf8.RuneCountInString(s.ClientID) > 255:
		errs["client_id"] = msgTooLong
	case strings.IndexFunc(s.ClientID, unicode.IsControl) >= 0 || !utf8.ValidString(s.ClientID):
		errs["client_id"] = msgBadChars
	}
	switch {
	case s.ClientSecret == "" && s.Enabled:
		errs["client_secret"] = msgSecretMissing
	case len(s.ClientSecret) > 1000:
		errs["client_secret"] = msgTooLong
	case strings.IndexFunc(s.ClientSecret, unicode.IsControl) >= 0 || !utf8.ValidString(s.ClientSecret):
		errs["client_secret"] = msgBadChars
	}
	return errs
}

// checkIssuer accepts an https URL, or http on the loopback host for tests and development. The issuer
// is kept exactly as given: the provider's discovery document must name the very same string.
func checkIssuer(issuer string) string {
	if len(issuer) > 500 {
		return msgTooLong
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(issuer, " \t\r\n") {
		if err == nil && u.Scheme != "" && u.Scheme != "https" && u.Scheme != "http" {
			return msgIssuerScheme
		}
		return msgIssuerInvalid
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if host := u.Hostname(); host == "localhost" || host == "127.0.0.1" || host == "::1" {
			return ""
		}
	}
	return msgIssuerScheme
}

var oidcEnglish = map[string]string{
	msgExpired:                           "The sign-in has expired or has already been used. Please try again.",
	msgUnreachable:                       "The municipality's sign-in service cannot be reached right now. Try again shortly or sign in with a password.",
	msgDenied:                            "The sign-in was cancelled or refused by the municipality's sign-in service.",
	msgProviderErr:                       "The municipality's sign-in service could not sign you in. Try again, or contact the municipality's administrator if the problem remains.",
	msgBadResponse:                       "The answer from the municipality's sign-in service could not be accepted. Please try again.",
	msgNoEmail:                           "The sign-in service sent no e-mail address. Contact the municipality's administrator.",
	msgUnverified:                        "The e-mail address %s is not verified by the sign-in service. Contact the municipality's administrator.",
	msgNoAccount:                         "There is no active account for the e-mail address %s in the municipality. Contact the municipality's administrator.",
	msgSSODisabled:                       "Sign-in with the organisation's account is not switched on for the municipality.",
	msgSettingsSave:                      "The sign-in settings are saved.",
	msgIssuerMissing:                     "Enter the issuer address, for example https://login.microsoftonline.com/<directory-id>/v2.0.",
	msgIssuerScheme:                      "The address must start with https:// (http:// is allowed only for localhost and 127.0.0.1 in tests).",
	msgIssuerInvalid:                     "Enter a complete address without a question mark or #, for example https://login.microsoftonline.com/<directory-id>/v2.0.",
	msgClientIDMissing:                   "Enter the client ID (Application/client ID) from the sign-in service.",
	msgSecretMissing:                     "Enter the client secret from the sign-in service.",
	msgTooLong:                           "The text is too long.",
	msgBadChars:                          "The text contains characters that are not allowed.",
	msgUnreachableSave:                   "The sign-in service's configuration could not be fetched from the address. Check the address and that the service can be reached from Värd's server.",
	"Logga in med organisationens konto": "Sign in with your organisation's account",
	"Inloggningen misslyckades":          "Sign-in failed",
	"Till inloggningen":                  "To the sign-in page",
	"Eller logga in med e-post och lösenord": "Or sign in with e-mail and password",
	"Inloggning": "Sign-in",
	"Inloggning med organisationens konto (OIDC)": "Sign-in with the organisation's account (OIDC)",
	"Medarbetare loggar in med samma konto som i kommunens övriga system, till exempel Microsoft Entra ID. Registrera Värd som en webbapplikation hos inloggningstjänsten med omdirigerings-URI:n nedan.": "Employees sign in with the same account as in the municipality's other systems, for example Microsoft Entra ID. Register Värd as a web application at the sign-in service with the redirect URI below.",
	"Omdirigerings-URI (callback) att registrera": "Redirect URI (callback) to register",
	"Kommunens inloggningssida":                   "The municipality's sign-in page",
	"Slå på inloggning med organisationens konto": "Switch on sign-in with the organisation's account",
	"Utfärdare (issuer)":                          "Issuer",
	"För Microsoft Entra ID: https://login.microsoftonline.com/<katalog-id>/v2.0 (katalog-id = Directory/tenant ID).": "For Microsoft Entra ID: https://login.microsoftonline.com/<directory-id>/v2.0 (the Directory/tenant ID).",
	"Klient-id":       "Client ID",
	"Klienthemlighet": "Client secret",
	"En hemlighet är sparad. Lämna fältet tomt för att behålla den.": "A secret is stored. Leave the field empty to keep it.",
	"Ingen hemlighet är sparad.":                                     "No secret is stored.",
	"Spara":                                                          "Save",
	"Teknisk information:":                                           "Technical details:",
	"Personen måste finnas som aktiv i kommunens organisation i Värd med samma e-postadress som hos inloggningstjänsten.": "The person must be active in the municipality's organisation in Värd with the same e-mail address as at the sign-in service.",
}
