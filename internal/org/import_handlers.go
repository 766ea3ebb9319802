package org

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/web"
)

// importRoutes registers the pages of the organisation import: upload, status and preview, columns,
// apply and cancel. Every job is looked up within the viewer's kommun, so another kommun's job is not found.
func (h *Handlers) importRoutes(rt *web.Router) {
	rt.Handle("GET /import", web.Admin, h.importStart)
	rt.Handle("POST /import", web.Admin, h.importUpload)
	rt.Handle("GET /import/{id}", web.Admin, h.importStatus)
	rt.Handle("GET /import/{id}/kolumner", web.Admin, h.importColumnsForm)
	rt.Handle("POST /import/{id}/kolumner", web.Admin, h.importColumns)
	rt.Handle("POST /import/{id}/genomfor", web.Admin, h.importApply)
	rt.Handle("POST /import/{id}/avbryt", web.Admin, h.importCancel)
}

// importField is a field as the pages describe it.
type importField struct {
	Field    Field
	Label    string
	Required bool
	Hint     string
	Column   int // the chosen column, -1 for none
}

func importFields(m Mapping) []importField {
	hints := map[Field]string{
		FieldEmployeeID: "Känner igen personen vid nästa import.",
		FieldEmail:      "Används för inloggning och utskick.",
		FieldDepartment: "Översta nivån i organisationsträdet.",
		FieldUnit:       "Under förvaltningen. Kan lämnas tom.",
		FieldTeam:       "Under enheten. Kan lämnas tom.",
		FieldRoles:      "Till exempel ”chef, facklig företrädare”.",
		FieldManagerOf:  "”ja” eller ”x” för den som är chef för radens lägsta enhet.",
	}
	list := make([]importField, len(Fields))
	for i, f := range Fields {
		col, ok := m[f]
		if !ok {
			col = -1
		}
		list[i] = importField{Field: f, Label: hrFieldTitle(f), Required: f.Required(), Hint: hints[f], Column: col}
	}
	return list
}

// --- upload

type importStartData struct {
	Fields []importField
	Jobs   []*importJob
	MaxMB  int
}

func (h *Handlers) importStart(w http.ResponseWriter, r *http.Request) error {
	return h.renderImportStart(w, r, http.StatusOK, web.View{})
}

func (h *Handlers) renderImportStart(w http.ResponseWriter, r *http.Request, status int, view web.View) error {
	jobs, err := h.imports.recentJobs(r.Context(), viewer(r).TenantID, 20)
	if err != nil {
		return err
	}
	view.Data = importStartData{Fields: importFields(nil), Jobs: jobs, MaxMB: MaxImportBytes >> 20}
	return h.rd.PageStatus(w, r, h.pages["import.html"], status, view)
}

// importUpload stores the uploaded file as a job and sends the browser to its status page. The file is
// read from the multipart stream directly, so that an oversized upload is refused without being kept.
func (h *Handlers) importUpload(w http.ResponseWriter, r *http.Request) error {
	fail := func(status int, msg string) error {
		return h.renderImportStart(w, r, status, web.View{Errors: map[string]string{"fil": msg}})
	}
	const chooseFile = "Välj en fil att importera."
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBytes+1<<20) // the file and the form around it
	mr, err := r.MultipartReader()
	if err != nil {
		return fail(http.StatusBadRequest, chooseFile)
	}
	var (
		content  []byte
		filename string
		chosen   bool // a browser sends the field with an empty name when no file was chosen
		found    bool
	)
	for !found {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(uploadStatus(err), uploadMessage(err, chooseFile))
		}
		if part.FormName() != "fil" {
			part.Close()
			continue
		}
		found, chosen = true, part.FileName() != ""
		filename = cleanFilename(part.FileName())
		content, err = readUpload(part)
		part.Close()
		if err != nil {
			return fail(uploadStatus(err), uploadMessage(err, chooseFile))
		}
	}
	if !found || len(content) == 0 {
		if chosen {
			return fail(http.StatusUnprocessableEntity, "Filen är tom.")
		}
		return fail(http.StatusUnprocessableEntity, chooseFile)
	}
	id, err := h.imports.createJob(r.Context(), viewer(r).TenantID, filename, content)
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/import/"+strconv.FormatInt(id, 10), "")
}

var errUploadTooLarge = errors.New("upload too large")

func readUpload(part *multipart.Part) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(part, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxImportBytes {
		return nil, errUploadTooLarge
	}
	return b, nil
}

func uploadStatus(err error) int {
	var mbe *http.MaxBytesError
	if errors.Is(err, errUploadTooLarge) || errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func uploadMessage(err error, otherwise string) string {
	if uploadStatus(err) == http.StatusRequestEntityTooLarge {
		return errTooLarge.Message
	}
	return otherwise
}

// cleanFilename keeps the name of an uploaded file fit to show: the last part of a path (old browsers on
// Windows send the whole path), without control characters, at most 200 characters.
func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	if name == "" || name == "." || name == "/" {
		name = "fil"
	}
	return name
}

// --- status and preview

type importStatusData struct {
	Job     *importJob
	Result  *ImportResult
	Columns []importColumn // the mapping in use, for the preview
	// CanApply, CanCancel and CanChooseColumns say which buttons the page shows.
	CanApply, CanCancel, CanChooseColumns bool
	Summary                               []importCount
	Samples                               []importSample
}

type importSample struct {
	Label string
	N     int
	List  []PersonChange
}

type importColumn struct{ Field, Column string }

type importCount struct {
	Label string
	N     int
}

// importStatusLabels are the job states in Swedish.
var importStatusLabels = map[string]string{
	importQueued:       "Väntar på att läsas",
	importRunning:      "Filen läses",
	importNeedsMapping: "Välj kolumner",
	importPreviewed:    "Förhandsgranskad",
	importApplyQueued:  "Väntar på att genomföras",
	importApplying:     "Genomförs",
	importDone:         "Klar",
	importFailed:       "Misslyckades",
	importCancelled:    "Avbruten",
}

// StatusLabel is the job's state in Swedish, for the pages.
func (j *importJob) StatusLabel() string { return importStatusLabels[j.Status] }

// importJobOf loads the job named in the path, within the viewer's kommun.
func (h *Handlers) importJobOf(r *http.Request) (*importJob, error) {
	id, err := web.ID(r, "id")
	if err != nil {
		return nil, err
	}
	j, err := h.imports.job(r.Context(), viewer(r).TenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.NotFound()
	}
	return j, err
}

func (h *Handlers) importStatus(w http.ResponseWriter, r *http.Request) error {
	j, err := h.importJobOf(r)
	if err != nil {
		return err
	}
	d := importStatusData{Job: j, Result: j.Result}
	switch j.Status {
	case importQueued, importRunning, importNeedsMapping, importPreviewed, importApplyQueued, importFailed:
		d.CanCancel = true
	}
	if res := j.Result; res != nil && len(res.Header) > 0 {
		d.CanChooseColumns = j.Status == importNeedsMapping || j.Status == importPreviewed
		for _, f := range Fields {
			if col, ok := res.Mapping[f]; ok && col >= 0 && col < len(res.Header) {
				d.Columns = append(d.Columns, importColumn{Field: hrFieldTitle(f), Column: res.Header[col]})
			}
		}
	}
	if res := j.Result; res != nil && (j.Status == importPreviewed || j.Status == importDone) {
		d.CanApply = j.Status == importPreviewed && res.CanApply()
		d.Summary = []importCount{
			{"Nya personer", res.Created}, {"Ändrade personer", res.Changed}, {"Flyttade personer", res.Moved},
			{"Återaktiverade personer", res.Reactivated}, {"Avaktiverade personer", res.Deactivated},
			{"Oförändrade personer", res.Unchanged}, {"Nya enheter", res.UnitsCreated},
			{"Enheter som öppnas igen", res.UnitsReopened}, {"Rader med fel", res.ErrorCount},
		}
		d.Samples = []importSample{
			{"Nya personer", res.Created, res.CreatedSample}, {"Flyttade personer", res.Moved, res.MovedSample},
			{"Ändrade personer", res.Changed, res.ChangedSample}, {"Återaktiverade personer", res.Reactivated, res.ReactivatedSample},
			{"Avaktiverade personer", res.Deactivated, res.DeactivatedSample},
		}
	}
	return h.rd.Page(w, r, h.pages["import_job.html"], d)
}

func (h *Handlers) importApply(w http.ResponseWriter, r *http.Request) error {
	j, err := h.importJobOf(r)
	if err != nil {
		return err
	}
	to := "/import/" + strconv.FormatInt(j.ID, 10)
	if j.Status != importPreviewed || j.Result == nil || !j.Result.CanApply() {
		return web.Redirect(w, r, to, "Importen kan inte genomföras i det här läget.")
	}
	ok, err := h.imports.queueApply(r.Context(), j.TenantID, j.ID)
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(w, r, to, "Importen kan inte genomföras i det här läget.")
	}
	return web.Redirect(w, r, to, "")
}

func (h *Handlers) importCancel(w http.ResponseWriter, r *http.Request) error {
	j, err := h.importJobOf(r)
	if err != nil {
		return err
	}
	ok, err := h.imports.cancelJob(r.Context(), j.TenantID, j.ID)
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(w, r, "/import/"+strconv.FormatInt(j.ID, 10), "Importen kan inte avbrytas i det här läget.")
	}
	return web.Redirect(w, r, "/import", "Importen är avbruten. Ingenting har ändrats.")
}

// --- columns

type importColumnsData struct {
	Job    *importJob
	Header []string
	Fields []importField
}

func (h *Handlers) importColumnsForm(w http.ResponseWriter, r *http.Request) error {
	j, err := h.importJobOf(r)
	if err != nil {
		return err
	}
	if !canChooseColumns(j) {
		return web.Redirect(w, r, "/import/"+strconv.FormatInt(j.ID, 10), "")
	}
	view := web.View{}
	if j.Status == importNeedsMapping {
		view.Message = j.Message
	}
	view.Data = importColumnsData{Job: j, Header: j.Result.Header, Fields: importFields(j.Result.Mapping)}
	return h.rd.PageStatus(w, r, h.pages["import_columns.html"], http.StatusOK, view)
}

func canChooseColumns(j *importJob) bool {
	return (j.Status == importNeedsMapping || j.Status == importPreviewed) && j.Result != nil && len(j.Result.Header) > 0
}

func (h *Handlers) importColumns(w http.ResponseWriter, r *http.Request) error {
	j, err := h.importJobOf(r)
	if err != nil {
		return err
	}
	to := "/import/" + strconv.FormatInt(j.ID, 10)
	if !canChooseColumns(j) {
		return web.Redirect(w, r, to, "Kolumnerna kan inte väljas i det här läget.")
	}
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	header := j.Result.Header
	m := Mapping{}
	msg := ""
	for _, f := range Fields {
		v := web.FormValue(r, string(f))
		if v == "" {
			continue
		}
		col, err := strconv.Atoi(v)
		if err != nil || col < 0 || col >= len(header) {
			msg = "Välj en av filens kolumner."
			continue
		}
		m[f] = col
	}
	if msg == "" {
		if err := m.Validate(header); err != nil {
			msg = err.Error()
		}
	}
	if msg != "" {
		view := web.View{Message: msg, Data: importColumnsData{Job: j, Header: header, Fields: importFields(m)}}
		return h.rd.PageStatus(w, r, h.pages["import_columns.html"], http.StatusUnprocessableEntity, view)
	}
	ok, err := h.imports.chooseColumns(r.Context(), j.TenantID, j.ID, header, m)
	if err != nil {
		return err
	}
	if !ok {
		return web.Redirect(w, r, to, "Kolumnerna kan inte väljas i det här läget.")
	}
	return web.Redirect(w, r, to, "Kolumnvalet är sparat och används för kommunens kommande importer.")
}

// importEnglish is the import pages' part of the English catalogue.
var importEnglish = map[string]string{
	"Importera organisationen": "Import the organisation",
	"Importera personer och organisation från HR-systemets export. Värd skapar förvaltningar, enheter och arbetslag som saknas, uppdaterar personerna och avaktiverar dem som inte längre finns i filen. Du ser alltid en förhandsgranskning innan något ändras.": "Import people and the organisation from the HR system's export. Värd creates missing departments, units and teams, updates people and deactivates those no longer in the file. You always see a preview before anything changes.",
	"Filen": "The file",
	"CSV (komma- eller semikolonseparerad, UTF-8 eller Windows-1252 som Excel sparar) eller Excel (xlsx). Första raden ska vara rubriker. Högst": "CSV (comma or semicolon separated, UTF-8 or Windows-1252 as Excel saves it) or Excel (xlsx). The first row must hold headings. At most",
	"MB.":                           "MB.",
	"Ladda upp och förhandsgranska": "Upload and preview",
	"Kolumner":                      "Columns",
	"Kolumnerna känns igen på sina rubriker, till exempel ”Anst.nr”, ”Förnamn” och ”Enhet”. Känns de inte igen väljer du dem själv en gång; valet sparas för kommunen.": "Columns are recognised by their headings, for example “Anst.nr”, “Förnamn” and “Enhet”. If they are not recognised you choose them yourself once; the choice is saved for the municipality.",
	"Fält":                "Field",
	"Beskrivning":         "Description",
	"obligatorisk":        "required",
	"Senaste importer":    "Recent imports",
	"Inga importer ännu.": "No imports yet.",
	"Uppladdad":           "Uploaded",
	"Status":              "Status",
	"Import av":           "Import of",
	"Förhandsgranskning":  "Preview",
	"Resultat":            "Result",
	"Sammanfattning":      "Summary",
	"Antal":               "Count",
	"Rader lästa:":        "Rows read:",
	"Filen läses. Sidan uppdateras av sig själv.":        "The file is being read. The page updates itself.",
	"Importen genomförs. Sidan uppdateras av sig själv.": "The import is being carried out. The page updates itself.",
	"Förlopp":           "Progress",
	"Genomför importen": "Carry out the import",
	"Avbryt importen":   "Cancel the import",
	"Vill du avbryta importen? Ingenting har ändrats.": "Cancel the import? Nothing has been changed.",
	"Ändra kolumnval": "Change columns",
	"Välj kolumner":   "Choose columns",
	"Kolumnval":       "Columns used",
	"Kolumn i filen":  "Column in the file",
	"Rader med fel":   "Rows with errors",
	"Rad":             "Row",
	"Fel":             "Error",
	"Visar de första": "Showing the first",
	"av":              "of",
	"Filen har fel och kan inte importeras. Rätta raderna nedan i filen och ladda upp den igen.": "The file has errors and cannot be imported. Correct the rows below in the file and upload it again.",
	"Filen stämmer redan med organisationen i Värd. Ingenting behöver ändras.":                   "The file already matches the organisation in Värd. Nothing needs to change.",
	"Importen är genomförd.": "The import is done.",
	"Ingenting har ändrats ännu. Kontrollera förhandsgranskningen och genomför importen.":                                               "Nothing has been changed yet. Check the preview and carry out the import.",
	"Kommunadministratörer som saknas i filen behålls aktiva, så att ingen låses ute. Avaktivera dem för hand om de har slutat. Antal:": "Municipality administrators missing from the file stay active, so that nobody is locked out. Deactivate them by hand if they have left. Number:",
	"Nya personer":             "New people",
	"Ändrade personer":         "Changed people",
	"Flyttade personer":        "Moved people",
	"Återaktiverade personer":  "Reactivated people",
	"Avaktiverade personer":    "Deactivated people",
	"Oförändrade personer":     "Unchanged people",
	"Nya enheter":              "New units",
	"Enheter som öppnas igen":  "Units reopened",
	"Ändringar":                "Changes",
	"Väntar på att läsas":      "Waiting to be read",
	"Filen läses":              "Reading the file",
	"Förhandsgranskad":         "Previewed",
	"Väntar på att genomföras": "Waiting to be carried out",
	"Genomförs":                "In progress",
	"Klar":                     "Done",
	"Misslyckades":             "Failed",
	"Avbruten":                 "Cancelled",
	"Till importen":            "Back to import",
	"Ange vilken kolumn i filen som innehåller vad. Valet sparas för kommunen och används automatiskt nästa gång filen har samma rubriker.": "Choose which column of the file holds what. The choice is saved for the municipality and used automatically next time the file has the same headings.",
	"Ingen kolumn":               "No column",
	"Kolumn":                     "Column",
	"Spara och förhandsgranska":  "Save and preview",
	"Välj en fil att importera.": "Choose a file to import.",
	"Filen är tom.":              "The file is empty.",
	"Filen är större än 20 MB. Ta bort kolumner som inte behövs, eller dela upp filen, och försök igen.": "The file is larger than 20 MB. Remove columns that are not needed, or split the file, and try again.",
	"Importen kan inte genomföras i det här läget.":                                                      "The import cannot be carried out at this stage.",
	"Importen kan inte avbrytas i det här läget.":                                                        "The import cannot be cancelled at this stage.",
	"Importen är avbruten. Ingenting har ändrats.":                                                       "The import is cancelled. Nothing has been changed.",
	"Kolumnerna kan inte väljas i det här läget.":                                                        "The columns cannot be chosen at this stage.",
	"Kolumnvalet är sparat och används för kommunens kommande importer.":                                 "The choice of columns is saved and used for the municipality's future imports.",
	"Välj en av filens kolumner.":                                                                        "Choose one of the file's columns.",
	"Känner igen personen vid nästa import.":                                                             "Recognises the person at the next import.",
	"Används för inloggning och utskick.":                                                                "Used for sign-in and mailings.",
	"Översta nivån i organisationsträdet.":                                                               "The top level of the organisation tree.",
	"Under förvaltningen. Kan lämnas tom.":                                                               "Below the department. May be left empty.",
	"Under enheten. Kan lämnas tom.":                                                                     "Below the unit. May be left empty.",
	"Till exempel ”chef, facklig företrädare”.":                                                          "For example “chef, facklig företrädare”.",
	"”ja” eller ”x” för den som är chef för radens lägsta enhet.":                                        "“ja” or “x” for the manager of the row's lowest unit.",
	"Chef för enheten": "Manager of the unit",
	"Chef för":         "Manager of",
	"Filen har en rubrikrad men inga rader med personer.":                                                                                                                                             "The file has a heading row but no rows with people.",
	"Importen avbröts av ett oväntat fel. Ingenting har ändrats.":                                                                                                                                     "The import was stopped by an unexpected error. Nothing has been changed.",
	"Filen kunde inte förhandsgranskas på grund av ett tekniskt fel. Ladda upp den igen om en stund.":                                                                                                 "The file could not be previewed because of a technical error. Upload it again in a while.",
	"Importen kunde inte genomföras på grund av ett tekniskt fel. Ingenting har ändrats. Försök igen om en stund.":                                                                                    "The import could not be carried out because of a technical error. Nothing has been changed. Try again in a while.",
	"Importen genomfördes inte: organisationen har ändrats sedan förhandsgranskningen, och nu har filen fel. Ingenting har ändrats. Rätta filen och ladda upp den igen.":                              "The import was not carried out: the organisation has changed since the preview, and now the file has errors. Nothing has been changed. Correct the file and upload it again.",
	"Importen stoppades eftersom en e-postadress eller ett anställningsnummer i filen just har börjat användas av någon annan. Ingenting har ändrats. Försök igen för att se vilka rader det gäller.": "The import was stopped because an e-mail address or employee number in the file has just been taken by someone else. Nothing has been changed. Try again to see which rows are affected.",
	"Förhandsgranskningen avbröts efter en vecka utan att importen genomfördes. Ladda upp filen igen.":                                                                                                "The preview was cancelled after a week without the import being carried out. Upload the file again.",
	"Filen kunde inte läsas färdigt. Ingenting har ändrats. Kontrollera filen och ladda upp den igen.":                                                                                                "The file could not be read to the end. Nothing has been changed. Check the file and upload it again.",
}
