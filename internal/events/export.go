package events

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// exportColumns are the participant list's columns, in Swedish like the pages.
var exportColumns = []string{"Namn", "Förvaltning", "Enhet eller organisation", "Status", "Kost", "Tillgänglighet", "Incheckad"}

// ParticipantRows returns the event's participant list as text rows, header first: everyone invited,
// by name.
func (s *Service) ParticipantRows(ctx context.Context, e *Event) ([][]string, error) {
	list, _, err := s.Invitations(ctx, e, InvitationFilter{})
	if err != nil {
		return nil, err
	}
	rows := make([][]string, 0, len(list)+1)
	rows = append(rows, exportColumns)
	for _, inv := range list {
		in := "Nej"
		if inv.CheckedIn {
			in = "Ja"
		}
		rows = append(rows, []string{inv.DisplayName(), inv.Department, inv.UnitName, inv.Status.Label(),
			inv.Diet, inv.Accessibility, in})
	}
	return rows, nil
}

// safeCell keeps a spreadsheet from reading a cell as a formula: a value typed by an invitee that starts
// with = + - @ (or a tab or carriage return) is prefixed with an apostrophe (CSV injection).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes rows the way Swedish Excel opens them with å, ä and ö intact: UTF-8 with a byte order
// mark, semicolons between fields and CRLF line ends.
func WriteCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = safeCell(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes rows as a workbook with one sheet, the header row bold and frozen.
func WriteXLSX(w io.Writer, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Deltagare"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(exportColumns), 24); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, c := range row {
			if i == 0 {
				cells[j] = excelize.Cell{Value: c, StyleID: bold}
			} else {
				// Strings, never formulas: excelize writes a string cell as text whatever it starts with.
				cells[j] = c
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// exportName is the download's file name: the title's letters and digits, and the date.
func exportName(e *Event, ext string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(e.Title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == 'å' || r == 'ä' || r == 'ö':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() > 60 {
			break
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "evenemang"
	}
	return "deltagare-" + name + "-" + e.StartsAt.In(Stockholm).Format("2006-01-02") + "." + ext
}

func (h *Handlers) export(w http.ResponseWriter, r *http.Request, ext, contentType string, write func(io.Writer, [][]string) error) error {
	e, err := h.event(r)
	if err != nil {
		return err
	}
	rows, err := h.svc.ParticipantRows(r.Context(), e)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": exportName(e, ext)}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
	if err := write(w, rows); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func (h *Handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	return h.export(w, r, "csv", "text/csv; charset=utf-8", WriteCSV)
}

func (h *Handlers) exportXLSX(w http.ResponseWriter, r *http.Request) error {
	return h.export(w, r, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", WriteXLSX)
}
