package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// sampleFile makes a small but structurally valid file of the MIME type,
// so a receiver that inspects downloads (thumbnails, type sniffing) works
// without test assets.
func sampleFile(mimeType string, animated bool) ([]byte, error) {
	switch baseMime(mimeType) {
	case "image/jpeg", "image/png":
		img := image.NewRGBA(image.Rect(0, 0, 2, 2))
		for i := range 4 {
			img.Set(i%2, i/2, color.RGBA{R: uint8(60 * i), G: 120, B: 200, A: 255})
		}
		var b bytes.Buffer
		var err error
		if baseMime(mimeType) == "image/png" {
			err = png.Encode(&b, img)
		} else {
			err = jpeg.Encode(&b, img, nil)
		}
		return b.Bytes(), err
	case "image/webp":
		// 1×1 lossless WebP; the animated one has ANIM/ANMF chunks.
		if animated {
			return base64.StdEncoding.DecodeString("UklGRlIAAABXRUJQVlA4WAoAAAASAAAAAAAAAAAAQU5JTQYAAAD/////AABBTk1GJgAAAAAAAAAAAAAAAAAAAGQAAABWUDhMDQAAAC8AAAAQBxAREYiI/gcA")
		}
		return base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	case "application/pdf":
		return samplePDF(), nil
	case "text/plain":
		return []byte("Simulated document from a WhatsApp customer.\n"), nil
	case "audio/ogg":
		return sampleOggOpus(), nil
	case "video/mp4":
		return sampleMP4("isom"), nil
	case "video/3gpp":
		return sampleMP4("3gp4"), nil
	}
	return nil, fmt.Errorf("no sample file for %s: pass media.data", mimeType)
}

// samplePDF writes a one-page PDF with a correct xref table.
func samplePDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length 44 >>\nstream\nBT /F1 12 Tf 20 50 Td (wadesk sim) Tj ET\nendstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// sampleOggOpus writes an Ogg Opus stream (mono, 48 kHz): OpusHead and
// OpusTags pages, then one 20 ms frame, with correct page CRCs.
func sampleOggOpus() []byte {
	head := []byte("OpusHead")
	head = append(head, 1, 1)                            // version, channels
	head = binary.LittleEndian.AppendUint16(head, 312)   // pre-skip
	head = binary.LittleEndian.AppendUint32(head, 48000) // input sample rate
	head = append(head, 0, 0, 0)                         // gain, mapping family
	tags := []byte("OpusTags")
	vendor := "wadesk-sim"
	tags = binary.LittleEndian.AppendUint32(tags, uint32(len(vendor)))
	tags = append(tags, vendor...)
	tags = binary.LittleEndian.AppendUint32(tags, 0) // no comments
	var b bytes.Buffer
	b.Write(oggPage(0x02, 0, 0, head))
	b.Write(oggPage(0x00, 0, 1, tags))
	b.Write(oggPage(0x04, 312+960, 2, []byte{0xF8})) // TOC: CELT FB 20 ms, zero-length frame
	return b.Bytes()
}

func oggPage(flags byte, granule uint64, seq uint32, packet []byte) []byte {
	p := []byte("OggS")
	p = append(p, 0, flags)
	p = binary.LittleEndian.AppendUint64(p, granule)
	p = binary.LittleEndian.AppendUint32(p, 0x5a5e5a5e) // stream serial
	p = binary.LittleEndian.AppendUint32(p, seq)
	p = append(p, 0, 0, 0, 0) // CRC, filled below
	var lacing []byte
	n := len(packet)
	for n >= 255 {
		lacing = append(lacing, 255)
		n -= 255
	}
	lacing = append(lacing, byte(n))
	p = append(p, byte(len(lacing)))
	p = append(p, lacing...)
	p = append(p, packet...)
	binary.LittleEndian.PutUint32(p[22:], oggCRC(p))
	return p
}

// oggCRC is the Ogg CRC-32: polynomial 0x04c11db7, no reflection, zero
// init, no final xor.
func oggCRC(data []byte) uint32 {
	var crc uint32
	for _, c := range data {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// sampleMP4 writes an ISO BMFF file with ftyp and a moov/mvhd: a valid
// container with no tracks.
func sampleMP4(brand string) []byte {
	box := func(typ string, payload []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
		return append(append(b, typ...), payload...)
	}
	ftyp := append([]byte(brand), 0, 0, 2, 0)
	ftyp = append(ftyp, brand+"iso2mp41"...)
	mvhd := make([]byte, 0, 100)
	mvhd = append(mvhd, 0, 0, 0, 0)                        // version, flags
	mvhd = binary.BigEndian.AppendUint32(mvhd, 0)          // creation
	mvhd = binary.BigEndian.AppendUint32(mvhd, 0)          // modification
	mvhd = binary.BigEndian.AppendUint32(mvhd, 1000)       // timescale
	mvhd = binary.BigEndian.AppendUint32(mvhd, 0)          // duration
	mvhd = binary.BigEndian.AppendUint32(mvhd, 0x00010000) // rate 1.0
	mvhd = binary.BigEndian.AppendUint16(mvhd, 0x0100)     // volume 1.0
	mvhd = append(mvhd, make([]byte, 10)...)               // reserved
	for _, v := range []uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000} {
		mvhd = binary.BigEndian.AppendUint32(mvhd, v)
	}
	mvhd = append(mvhd, make([]byte, 24)...)      // pre_defined
	mvhd = binary.BigEndian.AppendUint32(mvhd, 1) // next track id
	return append(box("ftyp", ftyp), box("moov", box("mvhd", mvhd))...)
}
