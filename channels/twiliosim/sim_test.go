package twiliosim_test

import (
	"net/url"
	"testing"

	"github.com/twilio/twilio-go/client"

	"switchboard/channels/twiliosim"
)

// Sign reproduces Twilio's documented example and agrees with twilio-go's
// validator, which is what the server checks with.
func TestSign(t *testing.T) {
	form := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}}
	u := "https://mycompany.com/myapp.php?foo=1&bar=2"
	if got := twiliosim.Sign("12345", u, form); got != "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" {
		t.Fatalf("Sign = %q, want Twilio's 0/KCTR6DLpKmkAf8muzZqo1nDgQ=", got)
	}
	params := map[string]string{}
	for k, v := range form {
		params[k] = v[0]
	}
	params["Body"] = "退订"
	form.Set("Body", "退订")
	v := client.NewRequestValidator("12345")
	if !v.Validate(u, params, twiliosim.Sign("12345", u, form)) {
		t.Fatal("twilio-go rejects the simulator's signature")
	}
}
