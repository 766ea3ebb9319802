package stories

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	stddraw "image/draw"
	"image/jpeg"
	"image/png"
	"net/http"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers the WebP decoder with image.Decode
)

// Limits on an uploaded image.
const (
	// MaxImageBytes is the largest file accepted: a phone photo fits.
	MaxImageBytes = 5 << 20
	// maxImageSide and maxImagePixels stop a decompression bomb (a small file that claims a huge
	// picture) before it is decoded: the header is read first.
	maxImageSide   = 10000
	maxImagePixels = 40_000_000
	// displaySide is the longest side kept; larger pictures are scaled down, since no page shows more.
	displaySide = 2000
)

// Errors about an image, worded for the person who uploaded it.
var (
	ErrImageTooLarge   = errors.New("Bilden får vara högst 5 MB.")
	ErrNotImage        = errors.New("Filen är ingen bild som kan tas emot. Använd JPEG, PNG eller WebP.")
	ErrImageDimensions = errors.New("Bilden har för många bildpunkter: högst 10 000 på en sida och 40 megapixlar.")
)

// cleanImage is an uploaded image made safe to serve: decoded and encoded again, so that nothing but the
// picture survives (no EXIF location, no comments, no trailing data), turned the right way up, and no
// larger than displaySide.
type cleanImage struct {
	Data          []byte
	Type          string // image/jpeg or image/png
	Width, Height int
}

// sniffedFormats maps the types http.DetectContentType recognises to image.Decode's format names.
var sniffedFormats = map[string]string{"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}

// processImage checks an upload and re-encodes it. The type is decided by the content (sniffed, then
// decoded), never by the file name or the browser's Content-Type.
func processImage(data []byte) (*cleanImage, error) {
	if len(data) > MaxImageBytes {
		return nil, ErrImageTooLarge
	}
	format, ok := sniffedFormats[http.DetectContentType(data)]
	if !ok {
		return nil, ErrNotImage
	}
	cfg, decoded, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || decoded != format {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxImageSide || cfg.Height > maxImageSide || cfg.Width*cfg.Height > maxImagePixels {
		return nil, ErrImageDimensions
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrNotImage
	}
	orientation := 1
	if format == "jpeg" {
		orientation = jpegOrientation(data)
	}
	img = fit(img, displaySide)
	img = orient(img, orientation)

	// JPEG stays JPEG and PNG stays PNG; WebP becomes JPEG when it is an opaque photo and PNG when it has
	// transparency, which JPEG cannot hold.
	var buf bytes.Buffer
	out := &cleanImage{Type: "image/jpeg", Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	if format == "png" || (format == "webp" && !opaque(img)) {
		out.Type = "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	}
	if err != nil {
		return nil, err
	}
	out.Data = buf.Bytes()
	return out, nil
}

func opaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}

// fit scales img down so that its longer side is at most side.
func fit(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		w, h = side, max(1, h*side/w)
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// orient turns img by an EXIF orientation (1–8), since the re-encoded file no longer carries the tag
// that told a viewer to turn it.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	src := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	stddraw.Draw(src, src.Bounds(), img, b.Min, stddraw.Src)
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 { // 5–8 swap width and height
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored upside down
				dx, dy = x, h-1-y
			case 5: // mirrored along the top-left diagonal
				dx, dy = y, x
			case 6: // turned a quarter anticlockwise: turn it clockwise
				dx, dy = h-1-y, x
			case 7: // mirrored along the other diagonal
				dx, dy = h-1-y, w-1-x
			case 8: // turned a quarter clockwise: turn it anticlockwise
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}

// jpegOrientation reads the EXIF orientation tag of a JPEG file, or 1 when it has none.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // image data starts: no EXIF before it
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return exifOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// exifOrientation finds tag 0x0112 in the first IFD of a TIFF structure.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 1
	}
	ifd := int(order.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > len(tiff) {
		return 1
	}
	count := int(order.Uint16(tiff[ifd:]))
	for k := range count {
		e := ifd + 2 + 12*k
		if e+12 > len(tiff) {
			return 1
		}
		if order.Uint16(tiff[e:]) == 0x0112 && order.Uint16(tiff[e+2:]) == 3 { // SHORT
			if o := int(order.Uint16(tiff[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}
