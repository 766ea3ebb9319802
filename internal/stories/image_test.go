package stories

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testJPEG returns a w×h JPEG with a red left half, so that turning it can be seen.
func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withExif puts an APP1 Exif segment with GPS-looking text and an orientation tag right after the
// JPEG's SOI marker, as a phone camera does.
func withExif(t testing.TB, jpg []byte, orientation uint16) []byte {
	t.Helper()
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, binary.BigEndian, uint32(8)) // IFD0 at offset 8
	binary.Write(&tiff, binary.BigEndian, uint16(1)) // one entry
	binary.Write(&tiff, binary.BigEndian, uint16(0x0112))
	binary.Write(&tiff, binary.BigEndian, uint16(3)) // SHORT
	binary.Write(&tiff, binary.BigEndian, uint32(1))
	binary.Write(&tiff, binary.BigEndian, orientation)
	tiff.Write([]byte{0, 0})
	binary.Write(&tiff, binary.BigEndian, uint32(0)) // no next IFD
	tiff.WriteString("GPSLatitude 59.3293 N GPSLongitude 18.0686 E")
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, binary.BigEndian, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(jpg[2:])
	return out.Bytes()
}

func TestProcessImageStripsExif(t *testing.T) {
	in := withExif(t, testJPEG(t, 40, 20), 1)
	if !bytes.Contains(in, []byte("Exif")) || !bytes.Contains(in, []byte("GPSLatitude")) {
		t.Fatal("the test image has no Exif segment to remove")
	}
	if _, _, err := image.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("the test image with Exif does not decode: %v", err)
	}
	out, err := processImage(in)
	if err != nil {
		t.Fatalf("processImage: %v", err)
	}
	if bytes.Contains(out.Data, []byte("Exif")) || bytes.Contains(out.Data, []byte("GPSLatitude")) {
		t.Error("the stored image still has its Exif segment")
	}
	if out.Type != "image/jpeg" || out.Width != 40 || out.Height != 20 {
		t.Errorf("got %s %d×%d, want image/jpeg 40×20", out.Type, out.Width, out.Height)
	}
}

func TestProcessImageTurnsByOrientation(t *testing.T) {
	out, err := processImage(withExif(t, testJPEG(t, 40, 20), 6))
	if err != nil {
		t.Fatal(err)
	}
	if out.Width != 20 || out.Height != 40 {
		t.Fatalf("orientation 6: got %d×%d, want 20×40", out.Width, out.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(out.Data))
	if err != nil {
		t.Fatal(err)
	}
	// Turned a quarter clockwise, the red left half is now the top half.
	if r, _, b, _ := img.At(10, 5).RGBA(); r < b {
		t.Errorf("top of the turned image is not red: r=%d b=%d", r, b)
	}
}

func TestProcessImageRefuses(t *testing.T) {
	var bigPNG bytes.Buffer
	png.Encode(&bigPNG, image.NewGray(image.Rect(0, 0, 12000, 1)))
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"text named .jpg", []byte("Detta är ingen bild, bara text i en fil som heter bild.jpg.\n"), ErrNotImage},
		{"HTML with a script", []byte("<html><script>alert(1)</script></html>"), ErrNotImage},
		{"PNG header with garbage", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"), bytes.Repeat([]byte{0x42}, 200)...), ErrNotImage},
		{"JPEG cut short", testJPEG(t, 64, 64)[:300], ErrNotImage},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"), ErrNotImage},
		{"over 5 MB", append(testJPEG(t, 8, 8), make([]byte, MaxImageBytes)...), ErrImageTooLarge},
		{"a picture wider than allowed", bigPNG.Bytes(), ErrImageDimensions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := processImage(tt.data); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestProcessImageBombIsRefusedBeforeDecoding(t *testing.T) {
	// A PNG header that claims 9000×9000 pixels (81 megapixels) in a file of a few bytes.
	var hdr bytes.Buffer
	png.Encode(&hdr, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := hdr.Bytes()
	binary.BigEndian.PutUint32(b[16:], 9000)
	binary.BigEndian.PutUint32(b[20:], 9000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29])) // the IHDR chunk's checksum
	if _, err := processImage(b); !errors.Is(err, ErrImageDimensions) {
		t.Errorf("got %v, want ErrImageDimensions", err)
	}
}

func TestProcessImageScalesDownAndKeepsPNG(t *testing.T) {
	var buf bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 3000, 1000))
	png.Encode(&buf, img)
	out, err := processImage(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if out.Type != "image/png" || out.Width != displaySide || out.Height != 666 {
		t.Errorf("got %s %d×%d, want image/png %d×666", out.Type, out.Width, out.Height, displaySide)
	}
}

func TestProcessImageWebP(t *testing.T) {
	for _, tt := range []struct {
		name, b64, want string
	}{
		{"lossy becomes JPEG", "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA", "image/jpeg"},
		{"with transparency becomes PNG", "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==", "image/png"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data, _ := base64.StdEncoding.DecodeString(tt.b64)
			out, err := processImage(data)
			if err != nil {
				t.Fatalf("processImage: %v", err)
			}
			if out.Type != tt.want {
				t.Errorf("got %s, want %s", out.Type, tt.want)
			}
		})
	}
}

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "files")
	fsys, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the directory exists before the first upload: %v", err)
	}
	if _, err := fsys.Open(ctx, NewFileKey()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("opening a key in a store with no files: got %v, want not exist", err)
	}
	key := NewFileKey()
	if err := fsys.Put(ctx, key, strings.NewReader("bildens innehåll")); err != nil {
		t.Fatal(err)
	}
	f, err := fsys.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "bildens innehåll" {
		t.Errorf("got %q back", b)
	}
	for _, bad := range []string{"../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789", key + "/x", "/" + key} {
		if err := fsys.Put(ctx, bad, strings.NewReader("x")); !errors.Is(err, ErrBadKey) {
			t.Errorf("Put %q: got %v, want ErrBadKey", bad, err)
		}
		if _, err := fsys.Open(ctx, bad); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open %q: got %v, want not exist", bad, err)
		}
	}
	if err := fsys.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Delete(ctx, key); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if _, err := fsys.Open(ctx, key); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after delete: got %v, want not exist", err)
	}
}

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://intranat.kommun.se":      "https://intranat.kommun.se",
		"HTTPS://Intranat.Kommun.se/":     "https://intranat.kommun.se",
		"https://*.kommun.se":             "https://*.kommun.se",
		"https://intra.kommun.se:8443":    "https://intra.kommun.se:8443",
		"http://localhost:3000":           "http://localhost:3000",
		"http://intranat.kommun.se":       "",
		"https://intranat.kommun.se/sida": "",
		"https://intranat.kommun.se?x=1":  "",
		"intranat.kommun.se":              "",
		"'none'":                          "",
		"https://a.se; script-src *":      "",
		"https://user@intranat.se":        "",
		"javascript:alert(1)":             "",
		"*":                               "",
	} {
		got, ok := parseOrigin(in)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("parseOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}
