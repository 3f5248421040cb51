package helpdesk

// transitions lists the states each state may move to. Moving to the same
// state is a no-op and always allowed.
var transitions = map[TicketState][]TicketState{
	StateNew:     {StateOpen, StatePending, StateClosed},
	StateOpen:    {StatePending, StateClosed},
	StatePending: {StateOpen, StateClosed},
	StateClosed:  {StateOpen},
}

// ValidState reports whether s is one of the four ticket states.
func ValidState(s TicketState) bool {
	_, ok := transitions[s]
	return ok
}

// CanTransition reports whether a ticket may move from one state to another.
func CanTransition(from, to TicketState) bool {
	if from == to {
		return ValidState(to)
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}
