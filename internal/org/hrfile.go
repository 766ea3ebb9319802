package org

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

const (
	// hrPeekSize is how much of a file is examined to detect its format, encoding and delimiter.
	hrPeekSize = 64 << 10
	// hrMaxRecordBytes bounds one CSV record, so that a stray quote cannot make a row swallow the file.
	hrMaxRecordBytes = 1 << 20
	// hrMaxColumns is Excel's own column limit.
	hrMaxColumns = 16384
	// hrMaxUnzipBytes bounds an unpacked XLSX file (a zip bomb must not fill the disk or memory).
	hrMaxUnzipBytes = 512 << 20
)

// hrError is a Swedish, user-facing message that keeps its cause for logs and errors.Is.
type hrError struct {
	msg string
	err error
}

func (e *hrError) Error() string { return e.msg }
func (e *hrError) Unwrap() error { return e.err }

// Messages that come wrapped in an hrError with their cause.
const (
	hrMsgNotXLSX = "Filen kunde inte läsas som Excel-fil (xlsx)."
	hrMsgXLSXRow = "Raden kunde inte läsas i Excel-filen."
	hrMsgRead    = "Filen kunde inte läsas."
)

// Errors of the whole file, and errors of one row (hrIsRowError), after which reading goes on.
var (
	errHREmpty       = errors.New("Filen är tom.")
	errHRNoHeader    = errors.New("Filen saknar rubrikrad.")
	errHRRowTooLong  = errors.New("Raden är längre än 1 MB och hoppades över. Kontrollera att citattecken (\") i filen är parade.")
	errHRRowColumns  = errors.New("Raden har fler än 16 384 kolumner och hoppades över.")
	errHRRowQuote    = errors.New("Ett citattecken (\") avslutas aldrig, så resten av filen kunde inte läsas. Kontrollera raden.")
	errHRRowEncoding = errors.New("Raden innehåller tecken som inte är giltig UTF-8. Spara filen som ”CSV UTF-8” och försök igen.")
)

// hrEncoding is the character encoding of a CSV file.
type hrEncoding int

const (
	hrUndecided hrEncoding = iota // only ASCII seen so far; reported as UTF-8
	hrUTF8
	hrWindows1252
)

func (e hrEncoding) String() string {
	if e == hrWindows1252 {
		return "windows-1252"
	}
	return "utf-8"
}

// hrWindows1252Runes decodes Windows-1252; its five undefined bytes become U+FFFD, which ReadRow reports.
var hrWindows1252Runes = func() (t [256]rune) {
	for i := range t {
		t[i] = charmap.Windows1252.DecodeByte(byte(i))
	}
	return t
}()

// HRFile is an opened HR export: its header and a streaming reader of its rows. It is not safe for
// concurrent use.
type HRFile struct {
	Header    []string // the first non-blank row, trimmed
	Format    string   // "csv" or "xlsx"
	Delimiter rune     // ',', ';' or '\t'; zero for xlsx
	Encoding  string   // "utf-8" or "windows-1252"; "utf-8" for xlsx

	csv    *hrCSV
	book   *excelize.File
	rows   *excelize.Rows
	tmpDir string // excelize's temporary files, removed by Close
	xlsxAt int    // the last XLSX row number read
	done   bool
}

// OpenHRFile detects the format (XLSX by its zip signature, else CSV), the encoding (UTF-8 with or without
// BOM; if not valid UTF-8, Windows-1252, as Swedish Excel writes it) and the CSV delimiter (comma, semicolon,
// or tab, from the header line, ignoring quoted parts; or from an Excel "sep=;" line), reads the header row,
// and returns a file whose Next reads one row at a time. A CSV file is read with bounded memory. Encoding is
// decided from the first 64 KiB; if those are plain ASCII, the first row with other bytes decides it.
// Errors are Swedish and can be shown to the user as they are.
func OpenHRFile(r io.Reader) (*HRFile, error) {
	br := bufio.NewReaderSize(r, hrPeekSize)
	prefix, err := br.Peek(hrPeekSize)
	if err != nil && err != io.EOF {
		return nil, &hrError{hrMsgRead, err}
	}
	switch {
	case len(prefix) == 0:
		return nil, errHREmpty
	case bytes.HasPrefix(prefix, []byte("PK\x03\x04")), bytes.HasPrefix(prefix, []byte("PK\x05\x06")):
		if bytes.Contains(prefix[:min(len(prefix), 128)], []byte("application/vnd.oasis.opendocument")) {
			return nil, errors.New("Filen är ett OpenDocument-kalkylark (ods). Spara den som Excel-fil (xlsx) eller CSV och försök igen.")
		}
		return hrOpenXLSX(br)
	case bytes.HasPrefix(prefix, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return nil, errors.New("Filen är en äldre Excel-fil (xls) eller lösenordsskyddad. Spara den som Excel-fil (xlsx) utan lösenord, eller som CSV, och försök igen.")
	case bytes.HasPrefix(prefix, []byte("\xFF\xFE")), bytes.HasPrefix(prefix, []byte("\xFE\xFF")):
		return nil, errors.New("Filen är sparad som Unicode-text (UTF-16). Spara den som ”CSV UTF-8” eller som Excel-fil (xlsx) och försök igen.")
	case bytes.IndexByte(prefix, 0) >= 0:
		return nil, errors.New("Filen verkar inte vara en CSV- eller Excel-fil.")
	}
	return hrOpenCSV(br, prefix)
}

// Next returns the next data row and its 1-based line number in the file (the line a CSV record starts on,
// or the Excel row number), or io.EOF. Blank rows are skipped. Rows are trimmed of surrounding whitespace
// per cell and padded to the header length; a row longer than the header keeps its extra cells. Any other
// error concerns one row only: its message is Swedish, does not repeat the line number, and reading can go
// on with the next call. After a read error from the underlying reader, the next call returns io.EOF.
func (f *HRFile) Next() (row []string, line int, err error) {
	if f.done {
		return nil, 0, io.EOF
	}
	if f.rows != nil {
		return f.nextXLSX()
	}
	for {
		line, err := f.csv.readRecord()
		if err != nil {
			if err == io.EOF || !hrIsRowError(err) {
				f.done = true
			}
			if err != io.EOF && !hrIsRowError(err) {
				err = &hrError{hrMsgRead, err}
			}
			return nil, line, err
		}
		row, err := f.csv.decode(len(f.Header))
		f.Encoding = f.csv.enc.String()
		if err != nil {
			return nil, line, err
		}
		if row != nil {
			return row, line, nil
		}
	}
}

// Close releases resources (the XLSX temp files). It does not close the reader given to OpenHRFile.
func (f *HRFile) Close() error {
	f.done = true
	var err error
	if f.rows != nil {
		_ = f.rows.Close() // returns the iterator's last error, already reported by Next
		f.rows = nil
	}
	if f.book != nil {
		err = f.book.Close()
		f.book = nil
	}
	if f.tmpDir != "" {
		if e := os.RemoveAll(f.tmpDir); err == nil {
			err = e
		}
		f.tmpDir = ""
	}
	return err
}

// hrIsRowError reports whether err concerns one row only, so that Next can go on after it.
func hrIsRowError(err error) bool {
	switch err {
	case errHRRowTooLong, errHRRowColumns, errHRRowQuote, errHRRowEncoding:
		return true
	}
	return false
}

// hrCSV reads CSV records from a buffered reader, one physical line at a time, so memory stays bounded by
// the buffer and hrMaxRecordBytes. It follows RFC 4180 the way Excel reads it: a field may be quoted
// (spaces before the quote allowed), "" inside quotes is a quote, text after a closing quote is kept, and a
// bare quote inside an unquoted field is an ordinary character.
type hrCSV struct {
	br    *bufio.Reader
	eol   byte // '\n' (LF or CRLF), or '\r' for old Mac files
	delim byte
	enc   hrEncoding
	line  int    // physical lines read so far
	long  []byte // a line longer than br's buffer
	rec   []byte // the fields of the current record, back to back
	ends  []int  // where each field ends in rec
	dec   []byte // rec decoded from Windows-1252
	eof   bool
}

func hrOpenCSV(br *bufio.Reader, prefix []byte) (*HRFile, error) {
	c := &hrCSV{br: br, eol: '\n', delim: ';'}
	if bytes.HasPrefix(prefix, []byte("\xEF\xBB\xBF")) {
		prefix = prefix[3:]
		c.enc = hrUTF8
		_, _ = br.Discard(3)
	} else if !hrValidUTF8Prefix(prefix, len(prefix) < hrPeekSize) {
		c.enc = hrWindows1252
	} else if slices.ContainsFunc(prefix, func(b byte) bool { return b >= utf8.RuneSelf }) {
		c.enc = hrUTF8
	}
	if len(bytes.TrimSpace(prefix)) == 0 && len(prefix) < hrPeekSize-3 {
		return nil, errHREmpty
	}
	if bytes.IndexByte(prefix, '\n') < 0 && bytes.IndexByte(prefix, '\r') >= 0 {
		c.eol = '\r'
	}
	first, _, _ := bytes.Cut(prefix, []byte{c.eol})
	first = bytes.TrimSuffix(first, []byte{'\r'})
	sepLine := len(first) == 5 && bytes.EqualFold(first[:4], []byte("sep=")) && bytes.IndexByte([]byte(",;\t"), first[4]) >= 0
	if sepLine {
		c.delim = first[4]
		if _, _, err := c.readLine(); err != nil {
			return nil, &hrError{hrMsgRead, err}
		}
	} else {
		c.delim = hrDetectDelimiter(prefix, c.eol)
	}
	f := &HRFile{Format: "csv", Delimiter: rune(c.delim), csv: c}
	for {
		_, err := c.readRecord()
		if err == io.EOF {
			return nil, errHRNoHeader
		}
		if hrIsRowError(err) {
			return nil, &hrError{"Rubrikraden kunde inte läsas: " + err.Error(), err}
		}
		if err != nil {
			return nil, &hrError{hrMsgRead, err}
		}
		header, err := c.decode(0)
		if err != nil {
			return nil, &hrError{"Rubrikraden kunde inte läsas: " + err.Error(), err}
		}
		if header != nil {
			f.Header, f.Encoding = header, c.enc.String()
			return f, nil
		}
	}
}

// hrValidUTF8Prefix reports whether p is valid UTF-8, allowing a rune cut off at the end unless p is the
// whole file.
func hrValidUTF8Prefix(p []byte, whole bool) bool {
	if !whole {
		i := len(p) - 1
		for i > 0 && i > len(p)-utf8.UTFMax && !utf8.RuneStart(p[i]) {
			i--
		}
		if i >= 0 && !utf8.FullRune(p[i:]) {
			p = p[:i]
		}
	}
	return utf8.Valid(p)
}

// hrDetectDelimiter picks the comma, semicolon or tab that occurs most often outside quotes in the first
// non-blank line. A tie, or a header of one column, goes to the semicolon, Swedish Excel's choice.
func hrDetectDelimiter(p []byte, eol byte) byte {
	var counts [3]int // ';', '\t', ','
	inQuote, started := false, false
	for _, b := range p {
		if b == '"' {
			inQuote, started = !inQuote, true
			continue
		}
		if inQuote {
			continue
		}
		switch b {
		case eol:
			if started {
				return hrMostCommon(counts)
			}
			counts = [3]int{}
		case ';':
			counts[0]++
		case '\t':
			counts[1]++
		case ',':
			counts[2]++
		case ' ', '\r':
		default:
			started = true
		}
	}
	return hrMostCommon(counts)
}

// hrMostCommon returns the delimiter with the highest count, the first of ";\t," on a tie.
func hrMostCommon(counts [3]int) byte {
	best := 0
	for i := range counts {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return ";\t,"[best]
}

// readLine returns the next physical line without its terminator; it is valid until the next call. A line
// longer than hrMaxRecordBytes is cut short and reported with tooLong.
func (c *hrCSV) readLine() (line []byte, tooLong bool, err error) {
	if c.eof {
		return nil, false, io.EOF
	}
	line, err = c.br.ReadSlice(c.eol)
	if err == bufio.ErrBufferFull {
		c.long = append(c.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = c.br.ReadSlice(c.eol)
			if len(c.long)+len(line) > hrMaxRecordBytes {
				tooLong = true
			} else {
				c.long = append(c.long, line...)
			}
		}
		line = c.long
	}
	if err == io.EOF {
		c.eof = true
		if len(line) == 0 {
			return nil, false, io.EOF
		}
	} else if err != nil {
		c.eof = true
		return nil, false, err
	}
	c.line++
	line = bytes.TrimSuffix(line, []byte{c.eol})
	if c.eol == '\n' {
		line = bytes.TrimSuffix(line, []byte{'\r'})
	}
	return line, tooLong, nil
}

// readRecord reads the next record into c.rec and c.ends and returns the line it starts on. Errors other
// than the row errors (hrIsRowError) and io.EOF come from the underlying reader.
func (c *hrCSV) readRecord() (start int, err error) {
	c.rec, c.ends = c.rec[:0], c.ends[:0]
	line, tooLong, err := c.readLine()
	if err != nil {
		return c.line + 1, err
	}
	start = c.line
	if tooLong {
		return start, errHRRowTooLong
	}
	for {
		if len(c.ends) == hrMaxColumns {
			return start, errHRRowColumns
		}
		i := 0
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i < len(line) && line[i] == '"' {
			line = line[i+1:]
			for {
				j := bytes.IndexByte(line, '"')
				if j < 0 {
					// The quoted field goes on over the line break.
					c.rec = append(c.rec, line...)
					c.rec = append(c.rec, '\n')
					line, tooLong, err = c.readLine()
					if err == io.EOF {
						return start, errHRRowQuote
					}
					if err != nil {
						return start, err
					}
					if tooLong || len(c.rec)+len(line) > hrMaxRecordBytes {
						// A quote left open swallows everything after it; rows read from
						// the middle of it would be noise, so reading stops here.
						c.eof = true
						return start, errHRRowQuote
					}
					continue
				}
				c.rec = append(c.rec, line[:j]...)
				line = line[j+1:]
				if len(line) > 0 && line[0] == '"' {
					c.rec = append(c.rec, '"')
					line = line[1:]
					continue
				}
				break
			}
		}
		j := bytes.IndexByte(line, c.delim)
		if j < 0 {
			c.rec = append(c.rec, line...)
			c.ends = append(c.ends, len(c.rec))
			return start, nil
		}
		c.rec = append(c.rec, line[:j]...)
		c.ends = append(c.ends, len(c.rec))
		line = line[j+1:]
	}
}

// decode turns the current record into trimmed cells, padded to width. It returns nil for a blank record.
func (c *hrCSV) decode(width int) ([]string, error) {
	rec, ends := c.rec, c.ends
	if c.enc != hrWindows1252 && !utf8.Valid(rec) {
		if c.enc == hrUTF8 {
			return nil, errHRRowEncoding
		}
		c.enc = hrWindows1252
	} else if c.enc == hrUndecided && slices.ContainsFunc(rec, func(b byte) bool { return b >= utf8.RuneSelf }) {
		c.enc = hrUTF8
	}
	if c.enc == hrWindows1252 {
		c.dec = c.dec[:0]
		start := 0
		for i, end := range ends {
			for _, b := range rec[start:end] {
				c.dec = utf8.AppendRune(c.dec, hrWindows1252Runes[b])
			}
			start = end
			c.ends[i] = len(c.dec)
		}
		rec = c.dec
	}
	if len(bytes.TrimSpace(rec)) == 0 {
		return nil, nil
	}
	s := string(rec) // one allocation; the cells share it
	row := make([]string, max(len(ends), width))
	blank, start := true, 0
	for i, end := range ends {
		row[i] = strings.TrimSpace(s[start:end])
		blank = blank && row[i] == ""
		start = end
	}
	if blank {
		return nil, nil
	}
	return row, nil
}

// hrOpenXLSX opens the first sheet of an XLSX file. excelize buffers the file; large sheets go to
// temporary files in a directory of their own, removed by Close.
func hrOpenXLSX(r io.Reader) (_ *HRFile, err error) {
	tmpDir, err := os.MkdirTemp("", "vard-hrfile-")
	if err != nil {
		return nil, &hrError{hrMsgRead, err}
	}
	f := &HRFile{Format: "xlsx", Encoding: "utf-8", tmpDir: tmpDir}
	defer func() {
		// excelize is a large parser of untrusted input; a panic in it must not take the server down.
		if p := recover(); p != nil {
			err = &hrError{hrMsgNotXLSX, fmt.Errorf("excelize panic: %v", p)}
		}
		if err != nil {
			_ = f.Close()
		}
	}()
	f.book, err = excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: hrMaxUnzipBytes, TmpDir: tmpDir})
	if err != nil {
		return nil, &hrError{hrMsgNotXLSX, err}
	}
	sheets := f.book.GetSheetList()
	if len(sheets) == 0 {
		return nil, &hrError{hrMsgNotXLSX, errors.New("no sheets")}
	}
	if f.rows, err = f.book.Rows(sheets[0]); err != nil {
		return nil, &hrError{hrMsgNotXLSX, err}
	}
	header, _, err := f.nextXLSX()
	if err == io.EOF {
		return nil, errors.New("Första bladet i Excel-filen är tomt. Lägg personalförteckningen, med en rubrikrad, på första bladet.")
	}
	if err != nil {
		return nil, &hrError{"Rubrikraden kunde inte läsas i Excel-filen.", err}
	}
	f.Header = header
	return f, nil
}

// nextXLSX is Next for an XLSX file.
func (f *HRFile) nextXLSX() (row []string, line int, err error) {
	defer func() {
		if p := recover(); p != nil {
			f.done = true
			row, err = nil, &hrError{hrMsgXLSXRow, fmt.Errorf("excelize panic: %v", p)}
		}
	}()
	for f.rows.Next() {
		// Rows.Next steps one row at a time, also through rows missing from the sheet, so the count
		// of calls is the row number Excel shows.
		f.xlsxAt++
		cells, err := f.rows.Columns()
		if err != nil {
			return nil, f.xlsxAt, &hrError{hrMsgXLSXRow, err}
		}
		blank := true
		for i, s := range cells {
			cells[i] = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
			blank = blank && cells[i] == ""
		}
		if blank {
			continue
		}
		for len(cells) < len(f.Header) {
			cells = append(cells, "")
		}
		return cells, f.xlsxAt, nil
	}
	f.done = true
	if err := f.rows.Error(); err != nil {
		return nil, f.xlsxAt + 1, &hrError{"Excel-filen har för många rader.", err}
	}
	return nil, 0, io.EOF
}
