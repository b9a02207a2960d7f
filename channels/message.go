package channels

import "switchboard/interactions"

// Message is the stored message an Event carries to the desks. The
// interactions package owns it, with the messages table; the name here
// keeps the bus's wire type, Event, whole in this package.
type Message = interactions.Message
