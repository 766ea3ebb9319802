package surveys

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The export is the view's aggregates in long form, one figure per row, so that a spreadsheet can pivot
// it: the group, what is measured (answers, response rate, HME, a question's count per option or mean),
// and the value. It holds exactly the groups and figures the viewer's results page shows — the same View —
// so a hidden group is one row that says so, with no number; free text is never exported. While a round
// with personal links is open (View.Pending), the export holds the numbers of answers and response rates
// only, after a row that says when the figures come.

// ExportHeader is the first row of an export, in Swedish.
var ExportHeader = []string{"Grupp", "Enhets-id", "Nivå", "Filter", "Mått", "Fråga nr", "Fråga", "Svar", "Antal", "Andel (%)", "Värde"}

// exportCell is a cell of an export: text, a whole number or a decimal, or empty.
type exportCell struct {
	s     string
	i     int
	f     float64
	isInt bool
	isF   bool
}

func txt(s string) exportCell      { return exportCell{s: s} }
func integer(n int) exportCell     { return exportCell{i: n, isInt: true} }
func decimal(x float64) exportCell { return exportCell{f: x, isF: true} }

// exportRows returns the export of a view as rows of cells, header first, for CSV or XLSX.
func exportRows(v *View) [][]exportCell {
	sv := v.Survey
	filter := ""
	if v.FilterQuestion != nil && v.Filter != nil {
		filter = v.FilterQuestion.Text + ": " + v.FilterQuestion.Options[v.Filter.Option]
	}
	var out [][]exportCell
	head := make([]exportCell, len(ExportHeader))
	for i, h := range ExportHeader {
		head[i] = txt(h)
	}
	out = append(out, head)
	if v.Pending {
		row := make([]exportCell, len(ExportHeader))
		row[4] = txt("Resultatet visas när omgången har stängt den " + closesOn(v.Round.ClosesAt))
		out = append(out, row)
	}
	groups := v.Units
	if v.All {
		groups = append([]UnitRow{v.Kommun}, groups...)
	}
	for _, u := range groups {
		name, id := u.Name, txt("")
		switch u.GroupID {
		case "k":
			name = "Hela kommunen"
		case "u0":
			name = "Utan enhet"
		default:
			id = integer(int(u.UnitID))
		}
		row := func(measure string, qnum exportCell, question, answer string, count, share, value exportCell) {
			out = append(out, []exportCell{txt(name), id, integer(u.Depth), txt(filter), txt(measure), qnum, txt(question), txt(answer), count, share, value})
		}
		none := exportCell{}
		if !u.Visible {
			row(fmt.Sprintf("Färre än %d svar – visas inte", v.K), none, "", "", none, none, none)
			continue
		}
		row("Antal svar", none, "", "", integer(u.N), none, none)
		if !v.Round.OpenLink && v.Filter == nil {
			row("Inbjudna", none, "", "", integer(u.Invited), none, none)
			if rate := u.Rate(); rate >= 0 {
				row("Svarsfrekvens (%)", none, "", "", none, none, decimal(round1(rate)))
			}
		}
		if u.HME != nil {
			for _, f := range []struct {
				name string
				fig  HMEFigure
			}{{"HME-index", u.HME.Total}, {"Motivation", u.HME.Motivation}, {"Ledarskap", u.HME.Ledarskap}, {"Styrning", u.HME.Styrning}} {
				if f.fig.N > 0 {
					row(f.name, none, "", "", integer(f.fig.N), none, integer(f.fig.Value))
				}
			}
		}
		for _, w := range Words(sv, u.UnitResults) {
			if w.N > 0 {
				row("Värdeord: "+w.Key, none, "", "", integer(w.N), none, decimal(round1(w.Mean)))
			}
		}
		for i, q := range sv.Questions {
			if i >= len(u.Questions) {
				break
			}
			qr := u.Questions[i]
			qn := integer(i + 1)
			switch q.Type {
			case Text:
				row("Antal fritextsvar", qn, q.Text, "", integer(qr.Counts[0]), none, none)
				continue
			case Likert5, Scale10:
				from := 0
				if q.Type == Likert5 {
					from = 1
				}
				for x := from; x < len(qr.Counts); x++ {
					row("Fördelning", qn, q.Text, strconv.Itoa(x), integer(qr.Counts[x]), share(qr.Counts[x], qr.N), none)
				}
				if qr.N > 0 {
					row("Medelvärde", qn, q.Text, "", integer(qr.N), none, decimal(round2(qr.Mean)))
				}
			default:
				for x, label := range q.Options {
					if x < len(qr.Counts) {
						row("Fördelning", qn, q.Text, label, integer(qr.Counts[x]), share(qr.Counts[x], qr.N), none)
					}
				}
				row("Antal som svarat", qn, q.Text, "", integer(qr.N), none, none)
			}
		}
	}
	return out
}

func share(count, n int) exportCell {
	if n == 0 {
		return exportCell{}
	}
	return decimal(round1(100 * float64(count) / float64(n)))
}

func round1(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 1, 64), 64)
	return v
}
func round2(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	return v
}

// writeCSV writes the export as Swedish Excel reads a CSV file: UTF-8 with a byte order mark, semicolons
// between fields, and a decimal comma (3,75).
func writeCSV(v *View) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	for _, row := range exportRows(v) {
		rec := make([]string, len(row))
		for i, c := range row {
			switch {
			case c.isInt:
				rec[i] = strconv.Itoa(c.i)
			case c.isF:
				rec[i] = strings.Replace(strconv.FormatFloat(c.f, 'f', -1, 64), ".", ",", 1)
			default:
				rec[i] = csvSafe(c.s)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvSafe keeps a text that a spreadsheet would take for a formula (a survey's own question text could
// start with =) as text, by a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeXLSX writes the export as an Excel workbook with one sheet, numbers as numbers.
func writeXLSX(v *View) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Resultat"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for r, row := range exportRows(v) {
		vals := make([]any, len(row))
		for i, c := range row {
			switch {
			case c.isInt:
				vals[i] = c.i
			case c.isF:
				vals[i] = c.f
			case c.s != "":
				vals[i] = c.s
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := sw.SetRow(cell, vals); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func exportName(v *View, ext string) string {
	return "resultat-omgang-" + strconv.FormatInt(v.Round.ID, 10) + "." + ext
}

func (h *Handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	vr, err := h.readView(r, false)
	if err != nil {
		return err
	}
	b, err := writeCSV(vr.view)
	if err != nil {
		return err
	}
	return sendExport(w, "text/csv; charset=utf-8", exportName(vr.view, "csv"), b)
}

func (h *Handlers) exportXLSX(w http.ResponseWriter, r *http.Request) error {
	vr, err := h.readView(r, false)
	if err != nil {
		return err
	}
	b, err := writeXLSX(vr.view)
	if err != nil {
		return err
	}
	return sendExport(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exportName(vr.view, "xlsx"), b)
}

func sendExport(w http.ResponseWriter, typ, name string, b []byte) error {
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := w.Write(b)
	return err
}
