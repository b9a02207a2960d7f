package phone_test

import (
	"errors"
	"testing"

	"switchboard"
	"switchboard/phone"
)

func TestNormalize(t *testing.T) {
	tests := map[string]struct {
		raw, region string
		want        string
	}{
		"E.164 China mobile":        {"+8613800138000", "CN", "+8613800138000"},
		"China mobile national":     {"13800138000", "CN", "+8613800138000"},
		"China mobile spaced":       {"138 0013 8000", "CN", "+8613800138000"},
		"China 86 without plus":     {"8613800138000", "CN", "+8613800138000"},
		"China 0086 prefix":         {"008613800138000", "CN", "+8613800138000"},
		"China +86 spaced":          {"+86 138-0013-8000", "US", "+8613800138000"},
		"China 86 without plus, US": {"8613800138000", "US", "+8613800138000"},
		"Beijing landline national": {"010 6552 9988", "CN", "+861065529988"},
		"US national":               {"(415) 555-2671", "US", "+14155552671"},
		"US E.164 no region":        {"+14155552671", "", "+14155552671"},
		"Hong Kong E.164":           {"+852 6123 4567", "CN", "+85261234567"},
		"surrounding spaces":        {"  +8613800138000 ", "cn", "+8613800138000"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			// The second time the answer comes from the recent numbers.
			for range 2 {
				got, err := phone.Normalize(tc.raw, tc.region)
				if err != nil {
					t.Fatalf("Normalize(%q, %q): %v", tc.raw, tc.region, err)
				}
				if got != tc.want {
					t.Fatalf("Normalize(%q, %q) = %q, want %q", tc.raw, tc.region, got, tc.want)
				}
			}
		})
	}
}

func TestNormalizeInvalid(t *testing.T) {
	tests := map[string]struct{ raw, region string }{
		"empty":                   {"", "CN"},
		"letters":                 {"1-800-FLOWERS", "US"},
		"too short":               {"12", "CN"},
		"too long":                {"+86138001380001380013800", "CN"},
		"plus in middle":          {"86+13800138000", "CN"},
		"national without region": {"13800138000", ""},
		"unknown country code":    {"+99912345678", "CN"},
		"China wrong length":      {"1380013800", "CN"},
		"script injection":        {"<script>", "CN"},
		"unicode digits":          {"١٣٨٠٠١٣٨٠٠٠", "CN"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := phone.Normalize(tc.raw, tc.region)
			if !errors.Is(err, switchboard.ErrInvalid) {
				t.Fatalf("Normalize(%q, %q) = %q, %v; want ErrInvalid", tc.raw, tc.region, got, err)
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+8613800138000", "13800138000", "8613800138000", "(415) 555-2671", "", "+", "00", "++86"} {
		f.Add(s, "CN")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := phone.Normalize(raw, region)
		if err != nil {
			if !errors.Is(err, switchboard.ErrInvalid) {
				t.Fatalf("Normalize(%q, %q): error %v is not ErrInvalid", raw, region, err)
			}
			return
		}
		// E.164 is idempotent under normalisation.
		again, err := phone.Normalize(got, "")
		if err != nil || again != got {
			t.Fatalf("Normalize(%q) = %q, renormalised %q, %v", raw, got, again, err)
		}
	})
}
