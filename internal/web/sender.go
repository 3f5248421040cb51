package web

// SetSender sets the Sender that POST /api/v1/tickets/{id}/messages hands
// replies to, for capabilities wired after the Server was built. Call it
// before serving starts.
func (s *Server) SetSender(snd Sender) { s.sender = snd }
