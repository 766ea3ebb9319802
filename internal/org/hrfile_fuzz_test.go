package org

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadHRFile opens arbitrary bytes as an HR export and reads every row through GuessMapping and
// ReadRow, as the import does. Nothing may panic, Next must end, and every row it returns must keep the
// promises of its doc comment. Seeds are in testdata/fuzz/FuzzReadHRFile.
func FuzzReadHRFile(f *testing.F) {
	f.Add([]byte("Anst.nr;Förnamn;Efternamn;Förvaltning\n1001;Åsa;Öberg;Vård\n"))
	f.Add([]byte("Anst.nr,F\xF6rnamn,Efternamn\r\n\"1,2\";\"M\xE5ns\r\nEk\"\r\n"))
	f.Add(hrWriteXLSX(f, [][]any{{"Anst.nr", "Förnamn", "Efternamn", "Förvaltning"}, {1001, "Åsa", "Öberg", "Vård"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := OpenHRFile(bytes.NewReader(data))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("OpenHRFile returned an error without a message")
			}
			return
		}
		defer file.Close()
		if file.Format != "csv" && file.Format != "xlsx" {
			t.Fatalf("got format %q, want csv or xlsx", file.Format)
		}
		if file.Encoding != "utf-8" && file.Encoding != "windows-1252" {
			t.Fatalf("got encoding %q", file.Encoding)
		}
		hrCheckCells(t, "header", file.Header)
		guessed := GuessMapping(file.Header)
		_ = guessed.Validate(file.Header)
		// Every field on some column, so that ReadRow is exercised whatever the header says.
		every := Mapping{}
		for i, field := range Fields {
			every[field] = i % (len(file.Header) + 1)
		}
		maxRows := len(data) + 1
		if file.Format == "xlsx" {
			maxRows = 1<<20 + 1
		}
		prev := 0
		for n := 0; ; n++ {
			if n > maxRows {
				t.Fatalf("Next returned more than %d rows from %d bytes", maxRows, len(data))
			}
			row, line, err := file.Next()
			if err == io.EOF {
				break
			}
			if line <= prev {
				t.Fatalf("got line %d after line %d", line, prev)
			}
			prev = line
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("line %d: error without a message", line)
				}
				continue
			}
			if len(row) < len(file.Header) {
				t.Fatalf("line %d: got %d cells, want at least the header's %d", line, len(row), len(file.Header))
			}
			hrCheckCells(t, "row", row)
			for _, m := range []Mapping{guessed, every} {
				r, problems := m.ReadRow(row, line)
				if r.Line != line {
					t.Fatalf("ReadRow: got line %d, want %d", r.Line, line)
				}
				for _, p := range problems {
					if p == "" || !utf8.ValidString(p) {
						t.Fatalf("ReadRow: bad problem message %q", p)
					}
				}
			}
		}
		if _, _, err := file.Next(); err != io.EOF {
			t.Fatalf("got %v after io.EOF, want io.EOF again", err)
		}
	})
}

// hrCheckCells checks that a non-blank row of trimmed UTF-8 cells came back.
func hrCheckCells(t *testing.T, what string, cells []string) {
	t.Helper()
	blank := true
	for _, c := range cells {
		if !utf8.ValidString(c) {
			t.Fatalf("%s cell %q is not valid UTF-8", what, c)
		}
		if strings.TrimSpace(c) != c {
			t.Fatalf("%s cell %q is not trimmed", what, c)
		}
		blank = blank && c == ""
	}
	if blank {
		t.Fatalf("got a blank %s %q", what, cells)
	}
}
