package whatsapp

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want Timestamp
		ok   bool
	}{
		{`"1749416383"`, 1749416383, true},
		{`1749416383`, 1749416383, true},
		{`"1749416383.0"`, 1749416383, true},
		{`""`, 0, true},
		{`null`, 0, true},
		{`"yesterday"`, 0, false},
		{`true`, 0, false},
		{`{}`, 0, false},
		{`"1e300"`, 0, false},
	}
	for _, tt := range tests {
		var ts Timestamp
		err := json.Unmarshal([]byte(tt.in), &ts)
		if (err == nil) != tt.ok || ts != tt.want {
			t.Errorf("Unmarshal(%s) = %d, %v", tt.in, ts, err)
		}
	}
	ts := Timestamp(1749416383)
	eq(t, "time", ts.Time(), time.Date(2025, 6, 8, 20, 59, 43, 0, time.UTC))
	eq(t, "zero time", Timestamp(0).Time().IsZero(), true)
	eq(t, "of", TimestampOf(ts.Time()), ts)
	eq(t, "of zero", TimestampOf(time.Time{}), Timestamp(0))
	b, _ := json.Marshal(ts)
	eq(t, "marshal as string", string(b), `"1749416383"`)
}

func TestFlexTypes(t *testing.T) {
	var s struct {
		Index FlexString `json:"index"`
		Size  FlexInt    `json:"size"`
	}
	for _, in := range []string{`{"index":0,"size":303833}`, `{"index":"0","size":"303833"}`} {
		if err := json.Unmarshal([]byte(in), &s); err != nil {
			t.Fatal(err)
		}
		eq(t, in+" index", s.Index, FlexString("0"))
		eq(t, in+" size", s.Size, FlexInt(303833))
	}
	if err := json.Unmarshal([]byte(`{"size":"big"}`), &s); err == nil {
		t.Error("non-numeric size accepted")
	}
	if err := json.Unmarshal([]byte(`{"index":[1]}`), &s); err == nil {
		t.Error("array index accepted")
	}
	b, _ := json.Marshal(s)
	eq(t, "marshal", string(b), `{"index":"0","size":303833}`)
}
