// Package mailtest is an SMTP sink for tests: just enough of RFC 5321 for go-mail without TLS or
// authentication, keeping every message it is given.
package mailtest

import (
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// Delivery is one message as the sink received it.
type Delivery struct {
	From string
	To   []string
	Data []byte // the message as sent, headers and body
}

// Sink is a running SMTP server on a loopback port.
type Sink struct {
	ln  net.Listener
	mu  sync.Mutex
	got []Delivery
}

// Start starts a sink that stops when the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

// Addr is the sink's host:port.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// HostPort splits Addr for an SMTP configuration.
func (s *Sink) HostPort() (host, port string) {
	host, port, _ = net.SplitHostPort(s.Addr())
	return host, port
}

// Deliveries returns the messages received so far, in order.
func (s *Sink) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.got...)
}

func (s *Sink) serve(c net.Conn) {
	defer c.Close()
	tc := textproto.NewConn(c)
	tc.PrintfLine("220 sink ESMTP")
	var cur Delivery
	for {
		line, err := tc.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			tc.PrintfLine("250-sink\r\n250 8BITMIME")
		case "HELO", "NOOP":
			tc.PrintfLine("250 ok")
		case "RSET":
			cur = Delivery{}
			tc.PrintfLine("250 ok")
		case "MAIL":
			cur = Delivery{From: path(arg)}
			tc.PrintfLine("250 ok")
		case "RCPT":
			cur.To = append(cur.To, path(arg))
			tc.PrintfLine("250 ok")
		case "DATA":
			tc.PrintfLine("354 go ahead")
			data, err := io.ReadAll(tc.DotReader())
			if err != nil {
				return
			}
			cur.Data = data
			s.mu.Lock()
			s.got = append(s.got, cur)
			s.mu.Unlock()
			cur = Delivery{}
			tc.PrintfLine("250 queued")
		case "QUIT":
			tc.PrintfLine("221 bye")
			return
		default:
			tc.PrintfLine("502 not implemented")
		}
	}
}

// path is the address in "FROM:<a@b> BODY=8BITMIME" or "TO:<a@b>".
func path(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
