package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vard-kommun/vard/internal/mail"
)

// TestSMTPFlags: a bad mail setting stops the server at start, with a message that names it, rather than
// at the first invitation.
func TestSMTPFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vard.db")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"a port that is no number", []string{"--smtp-host", "smtp.example.se", "--smtp-port", "tjugofem", "--mail-from", "vard@example.se"}, "--smtp-port"},
		{"no sender address", []string{"--smtp-host", "smtp.example.se"}, "from address"},
		{"an unknown TLS mode", []string{"--smtp-host", "smtp.example.se", "--mail-from", "vard@example.se", "--smtp-tls", "ibland"}, "TLS mode"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := vard(t, "", append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, c.args...)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v (%s), want an error about %s", err, out, c.want)
			}
		})
	}
}

// TestLogMailSends: the demo's sender reports every mail as sent, so the queue empties into the log.
func TestLogMailSends(t *testing.T) {
	var s mail.Sender = logMail{log: discardLogger()}
	if err := s.Send(context.Background(), mail.Message{To: "a@b.se", Subject: "Enkät", Text: "Hej"}); err != nil {
		t.Fatal(err)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
