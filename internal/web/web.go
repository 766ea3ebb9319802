// Package web holds what every area's HTTP side shares: the router with its access rules, errors that
// become HTML pages or RFC 9457 problem+json, rendering with the layout and the i18n catalogue,
// middleware and static files.
package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Access says who may call a route. The router checks it before the handler runs; a handler narrows
// further where the rule depends on data (a chef sees only their own units).
type Access int

const (
	// Public routes need no sign-in (public kommun pages, sign-in, health checks).
	Public Access = iota
	// SignedIn routes need any signed-in person of a kommun.
	SignedIn
	// Manager routes need a chef or a kommunadmin; the handler limits a chef to their own units.
	Manager
	// Admin routes need a kommunadmin.
	Admin
	// Operator routes need a platform operator.
	Operator
	// Token routes are the JSON API, called with a kommun's API token (or a kommunadmin's session).
	Token
	// Communicator routes need a kommunikatör or a kommunadmin: moderating what people publish.
	Communicator
)

func (a Access) String() string {
	return [...]string{"public", "signed-in", "manager", "admin", "operator", "token", "communicator"}[a]
}

// Role names a person's role within a kommun, as stored.
type Role = string

// The roles that grant access; the org area defines the rest.
const (
	RoleAdmin        Role = "admin"
	RoleManager      Role = "manager"
	RoleCommunicator Role = "communicator"
)

// Viewer is who is making the request: a person of a kommun, a platform operator, or an API token.
type Viewer struct {
	PersonID   int64
	OperatorID int64
	TokenID    int64
	TenantID   int64
	TenantSlug string
	TenantName string
	Name       string
	Email      string
	Roles      []Role
}

// Has reports whether the viewer holds the role.
func (v *Viewer) Has(r Role) bool { return v != nil && slices.Contains(v.Roles, r) }

// IsAdmin reports whether the viewer is a kommunadmin.
func (v *Viewer) IsAdmin() bool { return v.Has(RoleAdmin) }

// IsManager reports whether the viewer is a chef.
func (v *Viewer) IsManager() bool { return v.Has(RoleManager) }

// IsOperator reports whether the viewer is a platform operator.
func (v *Viewer) IsOperator() bool { return v != nil && v.OperatorID != 0 }

// IsPerson reports whether the viewer is a signed-in person of a kommun.
func (v *Viewer) IsPerson() bool { return v != nil && v.PersonID != 0 }

// Allows reports whether the viewer may call a route with the given access.
func (v *Viewer) Allows(a Access) bool {
	switch a {
	case Public:
		return true
	case SignedIn:
		return v.IsPerson()
	case Manager:
		return v.IsPerson() && (v.IsAdmin() || v.IsManager())
	case Admin:
		return v.IsPerson() && v.IsAdmin()
	case Operator:
		return v.IsOperator()
	case Token:
		return v != nil && v.TenantID != 0 && (v.TokenID != 0 || v.IsAdmin())
	case Communicator:
		return v.IsPerson() && (v.IsAdmin() || v.Has(RoleCommunicator))
	}
	return false
}

type viewerKey struct{}

// WithViewer returns a context carrying the viewer.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the request's viewer, or nil for an anonymous request.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// Error is an error with an HTTP status and a message fit to show a person (Swedish; translated on
// rendering). Handlers return it; one place turns it into a page or problem+json.
type Error struct {
	Status  int
	Message string
	// Fields holds a message per form field or JSON property, for validation errors.
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf-style constructors for the common cases.

// NotFound is the error for a missing page or a row of another kommun.
func NotFound() *Error { return &Error{Status: http.StatusNotFound, Message: "Sidan finns inte."} }

// Forbidden is the error for a signed-in viewer without the right role.
func Forbidden() *Error {
	return &Error{Status: http.StatusForbidden, Message: "Du har inte behörighet till den här sidan."}
}

// BadRequest is the error for input that cannot be used.
func BadRequest(msg string) *Error { return &Error{Status: http.StatusBadRequest, Message: msg} }

// Invalid is the error for a form or JSON body with field errors.
func Invalid(fields map[string]string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Message: "Kontrollera uppgifterna i formuläret.", Fields: fields}
}

// AsError returns err as *Error, wrapping unknown errors as an internal error.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Message: "Något gick fel hos oss. Försök igen om en stund.", Err: err}
}

// HandlerFunc is an HTTP handler that returns its error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one registered route, as the authorization test reads them.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Pattern string
}

// Router is an http.ServeMux that records each route's access rule and checks it.
type Router struct {
	mux    *http.ServeMux
	routes []Route
	// Fail writes an error as a page or problem+json; set by the app to the renderer's Fail.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
}

// NewRouter returns an empty router.
func NewRouter() *Router {
	return &Router{mux: http.NewServeMux(), Fail: func(w http.ResponseWriter, r *http.Request, err error) {
		e := AsError(err)
		http.Error(w, e.Message, e.Status)
	}}
}

// Handle registers h for pattern ("GET /enheter/{id}") behind the access rule.
func (rt *Router) Handle(pattern string, access Access, h HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	rt.routes = append(rt.routes, Route{Method: method, Path: path, Access: access, Pattern: pattern})
	rt.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		noteRoute(r, pattern)
		v := ViewerFrom(r.Context())
		if !v.Allows(access) {
			rt.Fail(w, r, denied(v, access))
			return
		}
		if err := h(w, r); err != nil {
			rt.Fail(w, r, err)
		}
	})
}

// HandleHTTP registers a plain http.Handler (static files, metrics) as a public route.
func (rt *Router) HandleHTTP(pattern string, h http.Handler) {
	method, path, _ := strings.Cut(pattern, " ")
	rt.routes = append(rt.routes, Route{Method: method, Path: path, Access: Public, Pattern: pattern})
	rt.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noteRoute(r, pattern)
		h.ServeHTTP(w, r)
	}))
}

// Routes lists every registered route.
func (rt *Router) Routes() []Route { return slices.Clone(rt.routes) }

// ServeHTTP serves the request through the mux, and a not-found page for unknown paths.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The mux's own not-found answer is plain text; ours is a page or problem+json. Path values are set
	// only by the mux's ServeHTTP, so a known route goes through it rather than the handler found here.
	if _, pattern := rt.mux.Handler(r); pattern == "" {
		if allow := rt.allowed(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			rt.Fail(w, r, &Error{Status: http.StatusMethodNotAllowed, Message: "Metoden stöds inte för den här adressen."})
			return
		}
		rt.Fail(w, r, NotFound())
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// allowed lists the methods the path does answer to, for a 405 instead of a misleading 404.
func (rt *Router) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := rt.mux.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	return allow
}

// ErrSignIn means the route needs a signed-in viewer; the HTML side redirects to the sign-in page.
var ErrSignIn = &Error{Status: http.StatusUnauthorized, Message: "Logga in för att fortsätta."}

func denied(v *Viewer, a Access) error {
	if v == nil || (!v.IsPerson() && !v.IsOperator() && v.TokenID == 0) {
		return ErrSignIn
	}
	return Forbidden()
}

// ID parses a path value as a positive integer id, or returns a not-found error.
func ID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, NotFound()
	}
	return id, nil
}

// IsAPI reports whether the request is for the JSON API.
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }
