package campaigns

import (
	"regexp"
	"slices"
	"strings"
)

// Placeholders are the fields a script or SMS template may name, in braces:
// "尊敬的{name}，…" or "Dear {name}, your {tier} manager {rm} …".
var Placeholders = []string{"name", "first_name", "tier", "rm", "region"}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

func validTemplate(t string) error {
	if len(t) > 1600 {
		return invalid("a template may be at most 1600 characters")
	}
	for _, m := range placeholder.FindAllStringSubmatch(t, -1) {
		if !slices.Contains(Placeholders, m[1]) {
			return invalid("unknown placeholder {%s} (known: %s)", m[1], strings.Join(Placeholders, ", "))
		}
	}
	return nil
}

// Render fills a template's placeholders from fields.
func Render(t string, fields map[string]string) string {
	return placeholder.ReplaceAllStringFunc(t, func(m string) string {
		return fields[m[1:len(m)-1]]
	})
}
