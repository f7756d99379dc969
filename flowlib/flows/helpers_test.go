package flows

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

func copyFloat32(t *testing.T, src *tensors.Tensor, dst []float32) {
	t.Helper()
	flat, err := tensors.CopyFlatData[float32](src)
	if err != nil {
		t.Fatal(err)
	}
	copy(dst, flat)
}

func setFloat32(t *testing.T, v *model.Variable, flat []float32) {
	t.Helper()
	if err := v.SetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)); err != nil {
		t.Fatal(err)
	}
}

// spliceHeader returns a valid file with the header line of b and the values of a (checksum recomputed): a file
// that claims one architecture but holds another's variables.
func spliceHeader(t testing.TB, a, b []byte) []byte {
	t.Helper()
	lineEnd := func(d []byte) int { return len(fileMagic) + bytes.IndexByte(d[len(fileMagic):], '\n') + 1 }
	out := append([]byte{}, b[:lineEnd(b)]...)
	out = append(out, a[lineEnd(a):len(a)-4]...)
	return withChecksum(out)
}

// withChecksum appends the CRC-32 trailer to a file body.
func withChecksum(body []byte) []byte {
	out := append([]byte{}, body...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
}
