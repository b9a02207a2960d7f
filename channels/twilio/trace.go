package twilio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the client's spans.
const tracerName = "switchboard/channels/twilio"

// traced makes one client span of each call of the API, its retries
// included. A span carries the method, the path with every SID and name
// in it replaced (template), the host, the status and Twilio's error code:
// never a phone number, a message body or any other parameter, which all
// travel in the form or the query string. Nothing is added to the request:
// Twilio is not sent our trace context.
type traced struct{ next http.RoundTripper }

func (t traced) RoundTrip(r *http.Request) (*http.Response, error) {
	route := template(r.URL.Path)
	ctx, span := otel.Tracer(tracerName).Start(r.Context(), r.Method+" "+route, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.template", route),
			attribute.String("server.address", r.URL.Hostname())))
	defer span.End()
	resp, err := t.next.RoundTrip(r.WithContext(ctx))
	if err != nil {
		span.SetAttributes(attribute.String("error.type", errorType(err)))
		span.SetStatus(codes.Error, "no response from Twilio")
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetAttributes(attribute.String("error.type", strconv.Itoa(resp.StatusCode)))
		if code := errorCode(resp); code != 0 {
			span.SetAttributes(attribute.Int("twilio.error_code", code))
		}
		span.SetStatus(codes.Error, "")
	}
	return resp, nil
}

// template is a 2010 API path with its SIDs and names (every other segment
// after the version: /2010-04-01/Accounts/{sid}/Calls/{sid}.json) replaced,
// so spans have few names and carry no conference name or account.
func template(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i := 2; i < len(parts); i += 2 {
		if strings.HasSuffix(parts[i], ".json") {
			parts[i] = "{sid}.json"
		} else {
			parts[i] = "{sid}"
		}
	}
	return "/" + strings.Join(parts, "/")
}

func errorType(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "transport"
}

// errorCode is the code of Twilio's JSON error body, which stays readable
// for twilio-go; 0 if there is none. The message is not kept: it can
// repeat a number ("The 'To' number … is not a valid phone number").
func errorCode(resp *http.Response) int {
	head, err := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if err != nil {
		return 0
	}
	var e struct {
		Code int `json:"code"`
	}
	if json.Unmarshal(head, &e) != nil {
		return 0
	}
	return e.Code
}
