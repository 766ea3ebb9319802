package stories

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
)

// FileStore keeps uploaded files by key. Keys are made by NewFileKey, never by a person, so a key is
// never a path; the filesystem store refuses anything else. Another implementation (an object store)
// can take its place without the rest of the area noticing.
type FileStore interface {
	// Put stores the content under the key, replacing nothing: a key is used once.
	Put(ctx context.Context, key string, content io.Reader) error
	// Open returns the content; an unknown key is an error that wraps fs.ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the content; deleting an unknown key is not an error.
	Delete(ctx context.Context, key string) error
}

// keyPattern is what NewFileKey makes: 32 lower-case hex digits.
var keyPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ErrBadKey is returned for a key NewFileKey could not have made.
var ErrBadKey = errors.New("stories: bad file key")

// NewFileKey returns a new random key: 128 bits, unguessable, safe as a file name.
func NewFileKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// dirStore is a FileStore in a directory of the local filesystem (the data directory's files/). Every
// server behind a load balancer must see the same directory (a shared volume) until an object store
// takes its place.
type dirStore struct {
	dir  string
	mu   sync.Mutex
	root *os.Root
}

// NewFileStore returns a FileStore in the directory. The directory is made on the first upload, so a
// server that never receives one leaves nothing behind. Files are written to a temporary name and
// renamed, so a reader never sees half a file; the directory is opened as an os.Root, so no name can
// reach outside it.
func NewFileStore(dir string) (FileStore, error) {
	if dir == "" {
		return nil, errors.New("file store: no directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return &dirStore{dir: abs}, nil
}

// open returns the directory as an os.Root, making it first when create is set.
func (s *dirStore) open(create bool) (*os.Root, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.root != nil {
		return s.root, nil
	}
	if create {
		if err := os.MkdirAll(s.dir, 0o750); err != nil {
			return nil, fmt.Errorf("file store: %w", err)
		}
	}
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return nil, err
	}
	s.root = root
	return root, nil
}

// name spreads the files over 256 subdirectories by the key's first two digits.
func (s *dirStore) name(key string) (dir, name string, err error) {
	if !keyPattern.MatchString(key) {
		return "", "", ErrBadKey
	}
	return key[:2], filepath.Join(key[:2], key), nil
}

func (s *dirStore) Put(ctx context.Context, key string, content io.Reader) (err error) {
	dir, name, err := s.name(key)
	if err != nil {
		return err
	}
	root, err := s.open(true)
	if err != nil {
		return err
	}
	if err := root.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp := name + ".tmp-" + NewFileKey()[:8]
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	if _, err = io.Copy(f, content); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return root.Rename(tmp, name)
}

func (s *dirStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	_, name, err := s.name(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, fs.ErrNotExist)
	}
	root, err := s.open(false)
	if err != nil {
		return nil, err
	}
	return root.Open(name)
}

func (s *dirStore) Delete(ctx context.Context, key string) error {
	_, name, err := s.name(key)
	if err != nil {
		return err
	}
	root, err := s.open(false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
