package helpdesk

// OutboundReads are the extra read queries of sending.
type OutboundReads interface{}

// OutboundWrites are the extra writes of sending.
type OutboundWrites interface{}
