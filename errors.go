package switchboard

import (
	"errors"
	"fmt"
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
)

// Error is a failure of a known kind whose Message is safe to show to the
// caller (an agent, a bank system, a customer's browser). Internal details
// never go in Message; they stay in wrapped errors and the logs.
type Error struct {
	Kind    error
	Message string
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of the given kind with a formatted, caller-safe
// message.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorMessage returns the caller-safe message of err: the Message of the
// first *Error in its chain, the kind's name for a bare kind, or "" for an
// internal error whose text must not leave the process.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	for _, kind := range []error{ErrNotFound, ErrConflict, ErrInvalid, ErrUnauthorized, ErrForbidden, ErrUnavailable} {
		if errors.Is(err, kind) {
			return kind.Error()
		}
	}
	return ""
}
