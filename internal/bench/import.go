package bench

import (
	"context"
	"errors"
	"io"
)

// Import measures the organisation import of a generated HR export. (Filled in with the import.)
func Import(ctx context.Context, dsn string, rows int, out io.Writer) error {
	return errors.New("import scenario not built yet")
}
