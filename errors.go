package switchboard

import (
	"errors"
	"fmt"
	"time"
)

// The error kinds. Every error that reaches a transport is one of these (or
// an internal failure); check with errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrUnavailable  = errors.New("unavailable")
	ErrThrottled    = errors.New("throttled") // too many attempts: wait RetryAfter
)

// Error is a failure of a known kind whose Message is safe to show to the
// caller (an agent, a bank system, a customer's browser). Internal details
// never go in Message; they stay in wrapped errors and the logs.
type Error struct {
	Kind    error
	Message string
	// RetryAfter is how long the caller should wait before trying again,
	// for ErrThrottled and ErrUnavailable; zero when unknown.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of the given kind with a formatted, caller-safe
// message.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Throttled returns an ErrThrottled error that asks the caller to wait
// after before trying again.
func Throttled(after time.Duration, format string, args ...any) error {
	return &Error{Kind: ErrThrottled, Message: fmt.Sprintf(format, args...), RetryAfter: after}
}

// RetryAfter returns how long err asks its caller to wait, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// ErrorMessage returns the caller-safe message of err: the Message of the
// first *Error in its chain, the kind's name for a bare kind, or "" for an
// internal error whose text must not leave the process.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	for _, kind := range []error{ErrNotFound, ErrConflict, ErrInvalid, ErrUnauthorized, ErrForbidden, ErrUnavailable, ErrThrottled} {
		if errors.Is(err, kind) {
			return kind.Error()
		}
	}
	return ""
}
