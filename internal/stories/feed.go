package stories

import (
	"encoding/xml"
	"html"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/org"
)

// The Atom feeds (RFC 4287): the kommun's public stories, and each person's feed of the kommun's
// internal ones. Links are absolute, made from the server's base URL, since a feed reader fetches the
// feed from elsewhere.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Content    atomText       `xml:"content"`
}

// atomSource is what differs between the public and the personal feed.
type atomSource struct {
	Tenant *org.Tenant
	// ID, Title and the page and feed addresses (paths; the base URL is put in front).
	ID, Title, Page, Self string
	// Public makes entries link to the public page and show their images; the personal feed links to
	// the story's page inside Värd, where the image is too.
	Public bool
}

// writeAtom writes the stories as an Atom feed.
func (h *Handlers) writeAtom(w http.ResponseWriter, src atomSource, list []storyView) error {
	f := atomFeed{
		ID:     h.baseURL + src.ID,
		Title:  src.Title,
		Author: atomPerson{Name: src.Tenant.Name},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: h.baseURL + src.Self},
			{Rel: "alternate", Type: "text/html", Href: h.baseURL + src.Page},
		},
	}
	updated := src.Tenant.CreatedAt
	for _, s := range list {
		if s.UpdatedAt.After(updated) {
			updated = s.UpdatedAt
		}
		e := atomEntry{
			ID:        h.baseURL + "/berattelser/" + itoa(s.ID),
			Title:     headline(s.Story),
			Updated:   atomTime(s.UpdatedAt),
			Published: atomTime(s.When()),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: h.baseURL + s.URL}},
			Author:    atomPerson{Name: s.Byline},
			Content:   atomText{Type: "html", Body: h.entryHTML(s, src.Public)},
		}
		if e.Author.Name == "" {
			e.Author.Name = "Anonym medarbetare"
		}
		for _, t := range s.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t.Key, Label: t.Name})
		}
		f.Entries = append(f.Entries, e)
	}
	f.Updated = atomTime(updated)
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if _, err := w.Write([]byte(xml.Header)); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	return enc.Encode(f)
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// headline is an entry's title: the story's title, or the start of a quote.
func headline(st *Story) string {
	if st.Title != "" {
		return st.Title
	}
	text := strings.Join(strings.Fields(st.Body), " ")
	if utf8.RuneCountInString(text) > 80 {
		text = string([]rune(text)[:79]) + "…"
	}
	return "”" + text + "”"
}

// entryHTML is a story as escaped HTML for a feed entry: the text with its line breaks, the image (in
// the public feed) and the unit it comes from.
func (h *Handlers) entryHTML(s storyView, public bool) string {
	var b strings.Builder
	if public && s.ImageURL != "" {
		b.WriteString(`<p><img src="` + html.EscapeString(h.baseURL+s.ImageURL) + `" alt="` + html.EscapeString(s.Image.Alt) + `"></p>`)
	}
	open, end := "", ""
	if s.Kind == KindQuote {
		open, end = "<blockquote>", "</blockquote>"
	}
	b.WriteString(open)
	for _, p := range paragraphs(s.Body) {
		b.WriteString("<p>")
		for i, line := range p {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(html.EscapeString(line))
		}
		b.WriteString("</p>")
	}
	b.WriteString(end)
	if s.UnitName != "" {
		b.WriteString("<p>" + html.EscapeString(s.UnitName) + "</p>")
	}
	return b.String()
}
